"""Schemathesis over every operation of the document, as Sam (a scorekeeper) with the
quarter of branch A in the database: no input it generates may cause a server error.

Examples are few per operation (the run stays near a minute on a small machine); the
database keeps what earlier examples wrote, so later ones meet real objects too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from jifen.api.main import api

# Few examples by default; JIFEN_SCHEMATHESIS_EXAMPLES=100 for a deeper run.
EXAMPLES = int(os.environ.get("JIFEN_SCHEMATHESIS_EXAMPLES", "10"))
# Built from the API object itself: collecting this file must not depend on the page
# modules of other areas importing cleanly.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = WSGIHandler()


@pytest.fixture
def sam_token(world: Any) -> Iterator[str]:
    from api.conftest import token_for

    # Schemathesis calls the WSGI application, whose end-of-request signal would close
    # the test's database connection; Django's test client disconnects it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield token_for(world.personas.sam)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a 500 is reported as found
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
    derandomize=True,
)
def test_no_input_causes_a_server_error(case: Any, sam_token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {sam_token}"})
    case.validate_response(response, checks=[not_a_server_error])
