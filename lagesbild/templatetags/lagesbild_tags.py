"""Template helpers of the dashboards: links that keep the current filters."""

import functools
import json
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def dashurl(context: dict[str, Any], viewname: str, *args: str, **changes: str) -> str:
    """The URL of ``viewname`` with the page's filters and ``changes`` in the query string.

    A change to an empty string drops that filter (e.g. ``place=""`` on another indicator).
    """
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
def verdict_mark(verdict: str, higher_is_better: bool) -> str:
    """▲ when the district lies above the kommun, ▼ below, ● no clear difference."""
    if verdict == "similar":
        return "●"
    if verdict not in ("worse", "better"):
        return ""
    above = (verdict == "better") == bool(higher_is_better)
    return "▲" if above else "▼"


@register.filter
def verdict_label(verdict: str) -> str:
    from lagesbild.charts import verdict_text

    return verdict_text(verdict)  # type: ignore[arg-type]


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
