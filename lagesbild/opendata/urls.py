"""Included under ``<kommun>/oppna-data/`` (the four-digit kommun code)."""

from django.urls import path

from . import views
from .schema import SCHEMA_MAJOR

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.rdf", views.catalog, name="catalog"),
    # In a folder of its own, so that no wave's short name can take its address.
    path(f"schema/celler-v{SCHEMA_MAJOR}.json", views.schema, name="schema"),
    path("<slug:wave>.csv", views.wave_csv, name="csv"),
    path("<slug:wave>.json", views.wave_json, name="json"),
]
