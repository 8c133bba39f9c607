from django.urls import path

from . import views

app_name = "youth"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.wave_page, name="wave"),
    path("<slug:slug>/<str:language>/", views.wave_page, name="wave_language"),
    path("<slug:slug>/<str:language>/affisch.pdf", views.poster, name="poster"),
    path("<slug:slug>/<str:language>/lektion.pdf", views.lesson, name="lesson"),
]
