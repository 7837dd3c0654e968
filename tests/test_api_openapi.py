"""The OpenAPI document: valid, complete, and true: real and generated responses match its schemas."""

from __future__ import annotations

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from learning.api.openapi import document
from tests.api_builders import (API, COORDINATOR, MARCH, PERIOD, api_get, as_role, city,  # noqa: F401
                                token)
from tests.survey_builders import completed_learner


def _response_schema(spec: dict, url: str, status: int) -> dict:
    """The schema the document promises for a GET of url answered with status."""
    path = url.split("?")[0]
    template = next(t for t in spec["paths"] if _matches(t, path))
    response = spec["paths"][template]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def _matches(template: str, path: str) -> bool:
    parts, wanted = template.split("/"), path.split("/")
    return len(parts) == len(wanted) and all(p == w or p.startswith("{") for p, w in zip(parts, wanted))


def _validator(spec: dict, schema: dict) -> OAS30Validator:
    # The references point into the document's components, so they travel along with the schema.
    return OAS30Validator({**schema, "components": spec["components"]})


def test_the_document_is_valid_openapi_and_describes_every_route(city):
    served = city.test_client().get("/api/v1/openapi.json")  # public, like any API documentation
    assert served.status_code == 200 and served.mimetype == "application/json"
    spec = served.get_json()
    assert spec == document()
    validate_spec(spec)
    routes = {rule.rule.replace("<slug>", "{slug}") for rule in city.url_map.iter_rules()
              if rule.rule.startswith("/api/")}
    assert routes == set(spec["paths"])
    for path, item in spec["paths"].items():
        operation = item["get"]
        assert set(item) == {"get"} and operation["responses"]["200"], path
        if path != "/api/v1/openapi.json":
            assert {"401", "403"} <= set(operation["responses"]), path
    assert spec["components"]["securitySchemes"]["bearer"] == {**spec["components"]["securitySchemes"]["bearer"],
                                                               "type": "http", "scheme": "bearer"}


def test_real_responses_match_the_schemas(token, city):
    for n in range(2):  # a small förvaltning, so hidden cells are in the answers too
        completed_learner(city, f"kul{n}@malmo.se", "kul", MARCH, gender="kvinna")
    spec = document()
    checked = set()
    urls = ["/api/v1/courses", API + "/participation" + PERIOD, API + "/completion" + PERIOD,
            API + "/participation", API + "/completion?forvaltning=kul", API + "/completion?fran=2026-05",
            API + "/completion?fran=nej", "/api/v1/courses/ingen/participation", API + "/completion?forvaltning=x"]
    for url in urls:
        response = api_get(city, url, token)
        _validator(spec, _response_schema(spec, url, response.status_code)).validate(response.get_json())
        checked.add(response.status_code)
    body = api_get(city, API + "/completion" + PERIOD, token).get_json()
    assert any(row["hidden"] for row in body["rows"])
    as_role(city, COORDINATOR, "learner", keep_tokens=True)
    for url in ("/api/v1/courses", API + "/completion"):
        for secret in (token, None, "lrn_fel"):
            response = api_get(city, url, secret)
            _validator(spec, _response_schema(spec, url, response.status_code)).validate(response.get_json())
            checked.add(response.status_code)
    assert checked == {200, 400, 401, 403, 404}


def test_the_schema_refuses_a_number_in_a_hidden_cell(token, city):
    """The suppression is part of the contract: a hidden row that leaked its number would not validate."""
    for n in range(2):
        completed_learner(city, f"kul{n}@malmo.se", "kul", MARCH)
    spec = document()
    url = API + "/completion" + PERIOD
    body = api_get(city, url, token).get_json()
    validator = _validator(spec, _response_schema(spec, url, 200))
    validator.validate(body)
    leaked = copy.deepcopy(body)
    row = next(r for r in leaked["rows"] if r["hidden"])
    row["completed"] = 2
    with pytest.raises(ValidationError):
        validator.validate(leaked)
    shown = copy.deepcopy(body)
    next(r for r in shown["rows"] if not r["hidden"])["registered"] = None
    with pytest.raises(ValidationError):
        validator.validate(shown)


# Loaded from the code, not through a fixture: schemathesis' fixture-based loader does not run on
# pytest 9.2. The first test above shows the served document is this one.
schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig.from_dict({
    "checks": {
        # Two months that each fit the pattern can still be in the wrong order: that 400 is right, and
        # OpenAPI 3.0 cannot say "fran <= till".
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404"]},
    },
    # Mostly the course that exists, so the query parameters reach the figures instead of a 404.
    "dictionaries": {"courses": {"values": ["grundkurs"]}, "forvaltningar": {"values": ["fsk", "gsf", "kul"]}},
    "parameters": {"path.slug": {"dictionary": "courses", "probability": 0.7},
                   "query.forvaltning": {"dictionary": "forvaltningar", "probability": 0.5}},
}))


@pytest.fixture(params=["coordinator", "hr"])
def holder(request, city, token) -> str:
    """The token of a coordinator, or of an HR person for Förskoleförvaltningen; the city has small groups."""
    for n in range(2):
        completed_learner(city, f"kul{n}@malmo.se", "kul", MARCH, gender="kvinna")
    if request.param == "hr":
        as_role(city, COORDINATOR, "hr", ["fsk"], keep_tokens=True)
    return token


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_documented_json_answers(case, city, holder):
    """Property-based: generated paths and query parameters never give a 500 or an answer outside the schema."""
    case.operation.schema.app = city  # this test's app, also for the probes that checks send themselves
    # Where schemathesis left out or spoiled the token on purpose, it is sent as generated.
    spoiled = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    case.call_and_validate(app=city, headers={} if spoiled else {"Authorization": f"Bearer {holder}"})
