"""Property-based tests of the HTTP API against its own OpenAPI document (schemathesis): for every
operation, generated requests (valid and invalid) never get a server error, and the answers conform
to the documented status codes and schemas. Runs on the shipped samples' catalogue, once without a
token and once with an operator's, so that the guarded operations are reached too."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from catalog import store, tokens
from catalog.api import create_app
from tests.conftest import sample_catalogue



@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("schemathesis")
    url = sample_catalogue(home)
    _, token = tokens.create(store.connect(url), operator=True)
    yield create_app(url, home, upload_rate=5), token
    store.dispose_all()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def _exercise(app, headers: dict[str, str]) -> list[str]:
    """Every operation of the OpenAPI document, valid and invalid requests; returns the operations run."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # an operation without parameters has no invalid request to make
                assert mode is GenerationMode.NEGATIVE, operation.label
        seen.append(operation.label)
    return seen


def test_no_server_error_anonymous(served):
    app, _ = served
    seen = _exercise(app, {})
    assert "GET /api/credentials" in seen and "POST /api/uploads" in seen


def test_no_server_error_as_operator(served):
    app, token = served
    seen = _exercise(app, {"Authorization": f"Bearer {token}"})
    assert "GET /api/quarantine" in seen
