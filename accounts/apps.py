from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Konton och granskning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.checks import register
        from django.db.models import fields
        from django.db.models.signals import post_migrate

        from . import checks, signals

        # The empty choice of every select built from a model field: Django's own label
        # has no Swedish translation, so Swedish forms would show it in English.
        fields.BLANK_CHOICE_LABEL = _("– Välj ett alternativ –")

        register(checks.mail_configured)
        register(checks.proxy_addresses)

        # After every migrate: the role groups exist and carry their permissions.
        post_migrate.connect(signals.sync_role_groups, sender=self)
        signals.connect()
