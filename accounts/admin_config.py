"""django.contrib.admin with our site (a module of its own: an AppConfig module must not
import models, and Django refuses two AppConfig classes in `accounts.apps`)."""

from django.contrib.admin.apps import AdminConfig


class AccountsAdminConfig(AdminConfig):
    """The admin behind the same login, second factor and role checks as every page."""

    default_site = "accounts.admin_site.TrygghetAdminSite"
