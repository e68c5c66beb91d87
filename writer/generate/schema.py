"""The published JSON Schema for facts files (``schemas/facts.schema.json``).

Generated from the pydantic models, then completed with what pydantic cannot say per field:
sources are required, harms are required once benefits are listed (balance), and a
publication date may be written as a bare year. A test keeps the published file in sync.
"""

from __future__ import annotations

import json
from typing import Any

from writer.generate.model import HARMS_REASON, SOURCES_REASON, Facts

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def facts_schema() -> dict[str, Any]:
    generated = Facts.model_json_schema(by_alias=True)
    schema: dict[str, Any] = {"$schema": DIALECT, **generated}
    schema["required"] = sorted(set(schema.get("required", [])) | {"sources"})
    sources = schema["properties"]["sources"]
    sources["minItems"] = 1
    sources.pop("default", None)
    sources["description"] += " " + SOURCES_REASON[0].upper() + SOURCES_REASON[1:] + "."
    schema["if"] = {"required": ["benefits"], "properties": {"benefits": {"minItems": 1}}}
    schema["then"] = {
        "required": ["harms"],
        "properties": {"harms": {"minItems": 1}},
        "description": HARMS_REASON[0].upper() + HARMS_REASON[1:] + ".",
    }
    published = schema["$defs"]["Source"]["properties"]["published"]
    description = published.pop("description", None)
    examples = published.pop("examples", None)
    schema["$defs"]["Source"]["properties"]["published"] = {
        "anyOf": [published, {"type": "integer", "minimum": 1000, "maximum": 9999}],
        "description": description,
        "examples": examples,
    }
    return schema


def schema_text() -> str:
    return json.dumps(facts_schema(), indent=2, ensure_ascii=False) + "\n"
