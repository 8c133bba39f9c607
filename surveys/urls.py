from django.urls import path

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
    path("skola/koder/", staff_views.codes_issue, name="codes_issue"),
    path("skola/svarsfrekvens/", staff_views.response_rates, name="response_rates"),
]
