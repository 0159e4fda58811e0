"""What `dagster dev` loads from the repository root (see [tool.dagster] in pyproject.toml)."""
import dagster as dg

from pipelines.defs.assets import STAGE_ASSETS
from pipelines.defs.automation import hourly_api_sources, inbox_sensor, ingest_job, nightly_all_sources
from pipelines.defs.checks import CHECKS
from pipelines.defs.resources import ClearinghouseResource

defs = dg.Definitions(
    assets=STAGE_ASSETS,
    asset_checks=CHECKS,
    jobs=[ingest_job],
    sensors=[inbox_sensor],
    schedules=[nightly_all_sources, hourly_api_sources],
    resources={"clearinghouse": ClearinghouseResource()},
)
