"""The dashboards' and exports' query parameters, checked in one place.

Every filter value in a URL (wave, indicator, place, geography, breakdown, area) is a
short code: a wave's slug, an indicator or district code, an answer option. Anything else
(a null byte, a slash, a thousand characters, SQL) can name nothing, so it is read as
"not given" here, before it reaches a query, a reversed URL or the audit log: PostgreSQL
refuses a null byte in text and JSON, and a slash cannot be reversed into a path segment.
"""

import re
from collections.abc import Mapping
from typing import Final

# Letters (district codes may be Swedish words), digits, "-" and "_"; a slug's length.
_CODE: Final = re.compile(r"[\w-]{1,50}")


def code_param(query: Mapping[str, str], name: str, default: str = "") -> str:
    """The parameter `name` when it looks like a code (surrounding space stripped), else
    `default`. A repeated parameter counts by its last value, as QueryDict.get does."""
    value = query.get(name)
    if value is None:
        return default
    value = value.strip()
    return value if _CODE.fullmatch(value) else default
