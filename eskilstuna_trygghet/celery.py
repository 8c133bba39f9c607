"""The Celery app. Configuration comes from Django settings (the CELERY_ prefix)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings")

app = Celery("eskilstuna_trygghet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Export tasks live in a sub-package of lagesbild (lagesbild/exports/tasks.py).
app.autodiscover_tasks(["lagesbild.exports"])
