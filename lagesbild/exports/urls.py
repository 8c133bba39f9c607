from django.urls import path

from . import views

app_name = "lagesbild_export"

urlpatterns = [
    path("celler.csv", views.cells_download, {"file_type": "csv"}, name="csv"),
    path("celler.xlsx", views.cells_download, {"file_type": "xlsx"}, name="xlsx"),
    path("metod.txt", views.cells_download, {"file_type": "notes"}, name="notes"),
    path("rapport/", views.report_request, name="report"),
    path("jobb/<uuid:job_id>/", views.job_page, name="job"),
    path("jobb/<uuid:job_id>/status/", views.job_status, name="job_status"),
    path("jobb/<uuid:job_id>/fil/", views.job_file, name="job_file"),
]
