"""Model permissions (what the admin site lets a user do) from memberships.

Each role's permissions are those of the Django group of the same name, kept in code by
`accounts.signals.sync_role_groups`; a user holds them through a membership of that role
in any kommun, never by being put in a group. Which kommun's rows the admin shows is the
access module's rule (`accounts.access`), applied by the admin classes.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class MembershipBackend(ModelBackend):
    def _get_group_permissions(self, user_obj: Any) -> Any:
        from .access import grants_of

        roles = sorted({grant.role.value for grant in grants_of(user_obj)})
        return Permission.objects.filter(group__name__in=roles)
