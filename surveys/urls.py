from django.urls import path, re_path

from . import staff_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.start, name="start"),
    path("sprak/", views.language, name="language"),
    path("info/", views.info, name="info"),
    path("sida/<int:number>/", views.page, name="page"),
    path("avsluta/", views.leave, name="leave"),
    path("tack/<int:version>/<str:language>/", views.thanks, name="thanks"),
    path("healthz", views.healthz, name="healthz"),
    # Staff pages of one kommun, under SCB's four-digit kommun code.
    re_path(r"^(?P<kommun>[0-9]{4})/skola/koder/$", staff_views.codes_issue, name="codes_issue"),
    re_path(
        r"^(?P<kommun>[0-9]{4})/skola/svarsfrekvens/$",
        staff_views.response_rates,
        name="response_rates",
    ),
]
