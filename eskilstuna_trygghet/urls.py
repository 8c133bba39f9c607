"""Top-level URL map. Each app owns its own `urls.py`."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import to_own_kommun
from lagesbild.views import across_kommuner

urlpatterns = [
    path("", include("surveys.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # Staff pages of one kommun, by SCB's four-digit kommun code (Eskilstuna 0484); the
    # codes and response-rate pages are in surveys.urls under the same prefix.
    re_path(r"^(?P<kommun>[0-9]{4})/lagesbild/export/", include("lagesbild.exports.urls")),
    re_path(r"^(?P<kommun>[0-9]{4})/lagesbild/", include("lagesbild.urls")),
    # Kommuner side by side (kommun level, published cells): the foundation's kommuner, and
    # each kommun against those that agreed to be compared.
    path("jamforelse/", across_kommuner, name="across"),
    # Addresses without the kommun code: the same page in the user's kommun.
    re_path(
        r"^(?P<section>lagesbild|skola)/(?P<rest>[-\w./]*)$",
        to_own_kommun,
        name="to_own_kommun",
    ),
    # Public pages of one kommun, by SCB's four-digit kommun code (Eskilstuna 0484).
    re_path(r"^(?P<kommun>[0-9]{4})/vad-sa-unga/", include("lagesbild.youth.urls")),
    re_path(r"^(?P<kommun>[0-9]{4})/oppna-data/", include("lagesbild.opendata.urls")),
]

# A database outage outside a view (a session that could not be saved) still gives pupils
# the 503 "try again" page.
handler400 = "surveys.outage.bad_request"
handler500 = "surveys.outage.server_error"
