"""The open-data files' Table Schema and a small validator for it (pure: no ORM).

The schema is a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)
generated from the export's one column list, `lagesbild.exports.formats.COLUMNS`, so the
open-data files, the staff CSV and this description cannot drift apart.

Stability: the schema has a version (`SCHEMA_VERSION`, semantic). Columns are only ever
added, at the end; a column is never renamed, removed, retyped or given a narrower
constraint within a major version. Adding a column raises the minor version; anything
else would be a new major version, published beside the old one under a new address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lagesbild.exports.formats import COLUMNS, ExportRow

SCHEMA_VERSION = "1.0.0"
SCHEMA_MAJOR = SCHEMA_VERSION.split(".", 1)[0]

FIELD_TYPES = {"text": "string", "percent": "integer", "count": "integer", "flag": "boolean"}
TRUE_VALUES = ("ja",)  # how the CSV writes a flag (`formats._csv_value`)
FALSE_VALUES = ("nej",)
MISSING_VALUES = ("",)

# Columns every row has, whatever the cell's state.
REQUIRED = frozenset(
    {
        "wave",
        "wave_name",
        "indicator",
        "indicator_name",
        "geography",
        "geography_name",
        "area",
        "area_name",
        "breakdown",
        "state",
        "text",
        "unstable",
    }
)
PATTERNS = {
    "wave": r"[-a-zA-Z0-9_]+",
    "indicator": r"[A-Z]{3}[A-Z0-9]{2,5}",  # EXP02, and TRYIDX (the trygghetsindex)
    "text": r"[0-9]{1,3} %|[<>] [0-9]{1,3} %|–",
    "bound": r"[<>] [0-9]{1,3} %",
}
# A share or an interval end is a whole percent; a shown n is rounded and never below the
# suppression threshold (a cell with fewer than 10 answers shows no n at all).
MIN_SHOWN_N = 10


@dataclass(frozen=True)
class Vocabulary:
    """The closed lists of the coded columns (from the models' choices)."""

    geographies: tuple[str, ...]
    breakdowns: tuple[str, ...]
    breakdown_values: tuple[str, ...]
    states: tuple[str, ...]  # the Swedish state names the files hold
    reasons: tuple[str, ...]  # the Swedish reasons, and "" for a shown cell


def _constraints(key: str, vocabulary: Vocabulary) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if key in REQUIRED:
        constraints["required"] = True
    kind = next(c.kind for c in COLUMNS if c.key == key)
    if kind == "percent":
        constraints.update(minimum=0, maximum=100)
    elif kind == "count":
        constraints["minimum"] = MIN_SHOWN_N
    if key in PATTERNS:
        constraints["pattern"] = PATTERNS[key]
    enums = {
        "geography": vocabulary.geographies,
        "breakdown": vocabulary.breakdowns,
        "breakdown_value": tuple(v for v in vocabulary.breakdown_values if v),
        "state": vocabulary.states,
        "reason": tuple(r for r in vocabulary.reasons if r),
    }
    if key in enums:
        constraints["enum"] = list(enums[key])
    return constraints


def table_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    """The Table Schema descriptor of the open-data CSV and JSON files."""
    fields: list[dict[str, Any]] = []
    for column in COLUMNS:
        field: dict[str, Any] = {
            "name": column.key,
            "title": column.header,
            "description": column.description,
            "type": FIELD_TYPES[column.kind],
        }
        if column.kind == "flag":
            field["trueValues"] = list(TRUE_VALUES)
            field["falseValues"] = list(FALSE_VALUES)
        constraints = _constraints(column.key, vocabulary)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {
        "name": "lagesbild-celler",
        "title": "Lägesbild: ungas trygghet, publicerade celler",
        "description": (
            "En rad per publicerad cell (omgång × indikator × plats × geografi × område × "
            "uppdelning). Andelar och intervall i hela procent, n avrundat. En undertryckt "
            "cell har status, markeringen – och skäl men inga siffror. Kolumner läggs bara "
            "till, sist; de byter aldrig namn, typ eller betydelse inom en huvudversion."
        ),
        "version": SCHEMA_VERSION,
        "missingValues": list(MISSING_VALUES),
        "fields": fields,
    }


def row_record(row: ExportRow) -> dict[str, str | int | bool | None]:
    """One row as the JSON file holds it: keyed by the schema's field names."""
    return {column.key: value for column, value in zip(COLUMNS, row.values(), strict=True)}


# --------------------------------------------------------------------------- validation


class _Missing:
    pass


MISSING = _Missing()


def _cast(field: Mapping[str, Any], value: object, missing: Sequence[str]) -> object:
    """The value as the field's type; MISSING for a missing value; raises ValueError."""
    if value is None or (isinstance(value, str) and value in missing):
        return MISSING
    kind = field["type"]
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError("not a string")
        return value
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError("not an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
            return int(value)
        raise ValueError("not an integer")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in field.get("trueValues", ("true",)):
            return True
        if isinstance(value, str) and value in field.get("falseValues", ("false",)):
            return False
        raise ValueError("not a boolean")
    raise ValueError(f"unknown type {kind}")


def validate_header(schema: Mapping[str, Any], header: Sequence[str]) -> list[str]:
    names = [f["name"] for f in schema["fields"]]
    return [] if list(header) == names else [f"header {list(header)} is not {names}"]


def validate_row(schema: Mapping[str, Any], row: Mapping[str, object]) -> list[str]:
    """What is wrong with one row (CSV strings or JSON values) against ``schema``."""
    errors: list[str] = []
    names = [f["name"] for f in schema["fields"]]
    if set(row) != set(names):
        errors.append(f"fields {sorted(set(row) ^ set(names))} missing or unknown")
    missing = schema.get("missingValues", [""])
    for field in schema["fields"]:
        name = field["name"]
        if name not in row:
            continue
        constraints = field.get("constraints", {})
        try:
            value = _cast(field, row[name], missing)
        except ValueError as error:
            errors.append(f"{name}: {row[name]!r} {error}")
            continue
        if value is MISSING:
            if constraints.get("required"):
                errors.append(f"{name}: required")
            continue
        if "enum" in constraints and value not in constraints["enum"]:
            errors.append(f"{name}: {value!r} not in enum")
        if "minimum" in constraints and value < constraints["minimum"]:
            errors.append(f"{name}: {value!r} below minimum")
        if "maximum" in constraints and value > constraints["maximum"]:
            errors.append(f"{name}: {value!r} above maximum")
        if "pattern" in constraints and not re.fullmatch(constraints["pattern"], str(value)):
            errors.append(f"{name}: {value!r} does not match pattern")
    return errors
