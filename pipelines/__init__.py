"""Dagster definitions: one asset graph (landed -> parsed -> harmonised -> validated -> published)
partitioned by source, the GX suite as a blocking check in front of publishing, an inbox sensor
and a nightly schedule. Every asset calls the same functions as the command line."""
