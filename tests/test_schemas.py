"""The JSON Schemas in schemas/ are generated from the models and must not drift from them."""

from __future__ import annotations

import json

import pytest

from deconf.cli.records import SCHEMAS
from deconf.schemas import file_name, schema_text
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_files_match_the_models(name):
    path = ROOT / "schemas" / file_name(name)
    assert path.read_text(encoding="utf-8") == schema_text(SCHEMAS[name]), (
        f"{path} drifted from the models; regenerate with: deconf schema --write schemas"
    )


def test_the_record_schema_accepts_the_sample_log_lines():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_text(SCHEMAS["record"]))
    for line in (ROOT / "logs" / "khasham-2018.jsonl").read_text().splitlines():
        jsonschema.validate(json.loads(line), schema)


def test_the_example_policy_loads_and_matches_its_schema():
    import tomllib

    from deconf.policy import load_policy

    jsonschema = pytest.importorskip("jsonschema")
    path = ROOT / "docs" / "policy.example.toml"
    policy = load_policy(path)
    assert policy.targets.flash.total_seconds() == 300
    jsonschema.validate(tomllib.loads(path.read_text()), json.loads(schema_text(SCHEMAS["policy"])))
