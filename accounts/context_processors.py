"""Template context of every page: the kommun of a staff page under `/<kommunkod>/`."""

from django.http import HttpRequest


def kommun(request: HttpRequest) -> dict[str, object]:
    """`kommun_code`: the code in the page's URL (links to the same kommun's pages are
    made with it); `staff_kommun`: the `Municipality` the access check resolved."""
    match = getattr(request, "resolver_match", None)
    code = match.kwargs.get("kommun", "") if match is not None else ""
    return {
        "kommun_code": code if isinstance(code, str) else "",
        "staff_kommun": getattr(request, "kommun", None),
    }
