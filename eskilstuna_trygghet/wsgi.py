"""WSGI entry point (gunicorn eskilstuna_trygghet.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings")

application = get_wsgi_application()
