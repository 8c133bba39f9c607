from django.urls import path

from . import views

app_name = "lagesbild"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indikator/<str:code>/", views.indicator, name="indicator"),
    path("omrade/<str:code>/", views.district, name="district"),
    path("karta/", views.map_view, name="map"),
    path("karta/importera/", views.shapes_import, name="shapes_import"),
]
