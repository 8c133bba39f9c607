from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LagesbildConfig(AppConfig):
    name = "lagesbild"
    verbose_name = _("Lägesbild")
    default_auto_field = "django.db.models.BigAutoField"
