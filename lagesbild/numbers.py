"""Numbers as a Swedish reader writes them, in one place (Babel's CLDR data for sv_SE).

Counts get a no-break space between thousands ("12 450"), decimals a comma ("12,5"), and
the unit "%" or "p.e." a no-break space before it, so that a line never breaks inside a
number. Exports, the report and the method notes format their numbers here only.
"""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALE = "sv_SE"
NBSP = "\u00a0"


def count(value: int, *, locale: str = LOCALE) -> str:
    """A whole number with Swedish thousands separators: 12450 -> "12 450" (``locale``:
    another language's separators, for the pages in that language)."""
    return format_decimal(value, format="#,##0", locale=locale)


def decimal(value: float) -> str:
    """At most one decimal, a decimal comma, no trailing zero: 2.5 -> "2,5", 15.0 -> "15"."""
    return format_decimal(round(value, 1), format="#,##0.#", locale=LOCALE)


def percent_of_one(value: float) -> str:
    """A share of 1 as percent text: 0.95 -> "95 %", 0.125 -> "12,5 %"."""
    return f"{decimal(value * 100)}{NBSP}%"


def no_break(text: str) -> str:
    """No-break spaces before "%" and "p.e." in a text made of public values."""
    return text.replace(" %", f"{NBSP}%").replace(" p.e.", f"{NBSP}p.e.")
