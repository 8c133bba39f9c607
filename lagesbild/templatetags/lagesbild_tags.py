"""Template helpers of the dashboards: links that keep the current filters."""

import functools
import json
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lagesbild import marks, public
from lagesbild.marks import Verdict

register = template.Library()


@register.simple_tag(takes_context=True)
def dashurl(context: dict[str, Any], viewname: str, *args: str, **changes: str) -> str:
    """The URL of ``viewname`` with the page's filters and ``changes`` in the query string.

    A change to an empty string drops that filter (e.g. ``place=""`` on another indicator).
    The page's kommun code (`kommun_code`, from `accounts.context_processors.kommun`) comes
    first: a dashboard links only to pages of its own kommun.
    """
    args = (str(context.get("kommun_code", "")), *args)
    url = _reverse(viewname, args, get_script_prefix(), get_urlconf())
    filters = context.get("filters")
    if filters is None:
        return url
    return url + str(filters.query(**{k: str(v) for k, v in changes.items()}))


@functools.lru_cache(maxsize=4096)
def _reverse(viewname: str, args: tuple[str, ...], prefix: str, urlconf: str | None) -> str:
    """reverse() is the slowest part of a page with a hundred links; its result depends
    only on these arguments (the prefix and urlconf are part of the key for that reason)."""
    return reverse(viewname, args=args, urlconf=urlconf)


@register.filter
def kommun_mark(verdict: Verdict, higher_is_better: bool) -> str:
    """↑ when the district lies clearly above the kommun, ↓ below (position only)."""
    return marks.position_mark(marks.kommun_position(verdict, bool(higher_is_better)))


@register.filter
def kommun_words(verdict: Verdict, higher_is_better: bool) -> str:
    """Position in words: "högre än kommunen", "lägre än kommunen", …"""
    return marks.position_words(marks.kommun_position(verdict, bool(higher_is_better)))


@register.filter
def verdict_word(verdict: Verdict) -> str:
    """The verdict word ("bättre", "sämre", …), the polarity already applied."""
    return marks.verdict_word(verdict)


@register.filter
def verdict_label(verdict: Verdict) -> str:
    """The verdict against the kommun as a phrase ("sämre än kommunen", …)."""
    return marks.verdict_text(verdict)


@register.simple_tag
def direction_legend() -> tuple[tuple[str, str], ...]:
    """Every direction mark with its words (lagesbild.marks.legend)."""
    return marks.legend()


# The same escapes as django.utils.html.json_script: the JSON can never close the element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def figure_json_script(figure: Any, element_id: str) -> SafeString:
    """Like the built-in json_script, without the spaces after separators (a map's
    coordinates are most of a figure, and the spaces were a sixth of its size)."""
    text = json.dumps(figure, separators=(",", ":"), ensure_ascii=False)
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )


@register.filter
def kommun_only(breakdown: str) -> bool:
    """A breakdown published for the whole kommun only (`lagesbild.public.kommun_only`):
    the district and map pages, which compare districts, do not offer it."""
    return public.kommun_only(breakdown)
