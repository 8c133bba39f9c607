"""Template context of every page: the kommun of a staff page under `/<kommunkod>/`, and
the service's name as the page shows it."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _


def kommun(request: HttpRequest) -> dict[str, object]:
    """`kommun_code`: the code in the page's URL (links to the same kommun's pages are
    made with it); `staff_kommun`: the `Municipality` the access check resolved."""
    match = getattr(request, "resolver_match", None)
    code = match.kwargs.get("kommun", "") if match is not None else ""
    staff_kommun = getattr(request, "kommun", None)
    if staff_kommun is not None:
        site_name = _("Trygghet %(kommun)s") % {"kommun": staff_kommun.name}
    else:
        site_name = settings.SITE_NAME or _("Ungas trygghet")
    return {
        "kommun_code": code if isinstance(code, str) else "",
        "staff_kommun": staff_kommun,
        "site_name": site_name,
    }
