"""Side effects that must happen however a change is made (admin, shell, code).

Login events, membership changes and deactivations are audited here; deactivating a user
also ends their sessions. The role groups (each role's admin permissions, read through
`accounts.backends.MembershipBackend`) are created after every migrate.
"""

from typing import Any, Final

from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from .models import Membership
from .roles import Role

# Coordinators manage set-up through the admin: every model of these apps ...
COORDINATOR_APPS: Final = ("surveys", "lagesbild")
# ... except pupil-level data, which no role sees in the UI.
COORDINATOR_EXCLUDED_MODELS: Final = frozenset({"answersheet", "heartbeat"})


def sync_role_groups(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Create the role groups and give admin and coordinator their admin permissions.

    Idempotent. Runs after the accounts app migrates; permissions of every app are
    created first so that models added later get picked up on the next migrate.
    """
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    groups = {role: Group.objects.using(using).get_or_create(name=role.value)[0] for role in Role}
    groups[Role.ADMIN].permissions.set(Permission.objects.using(using).all())
    coordinator_perms = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=COORDINATOR_APPS)
        .exclude(content_type__model__in=COORDINATOR_EXCLUDED_MODELS)
    )
    groups[Role.COORDINATOR].permissions.set(coordinator_perms)


def _on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    from .services import audit, session_track

    audit(request, "login")
    if request.session.session_key:
        session_track(user=user, session_key=request.session.session_key)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from .services import audit

    # Only the username: the password is never logged.
    audit(request, "login failed", username=str(credentials.get("username", ""))[:150])


def _on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    from .services import audit

    if user is not None:
        audit(request, "logout")


def _membership_audit(membership: Membership, action: str) -> None:
    from .services import audit

    audit(
        None,
        "role changed",
        kommun=membership.municipality.code if membership.municipality else None,
        user_id=membership.user_id,
        role=membership.role,
        school_id=membership.school_id,
        action=action,
    )


def _on_membership_saved(sender: Any, instance: Membership, created: bool, **kwargs: Any) -> None:
    _membership_audit(instance, "granted" if created else "changed")


def _on_membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _membership_audit(instance, "ended")


def _remember_active(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._was_active = None
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    instance._was_active = previous


def _on_user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from .services import audit, sessions_end

    if created or instance.is_active or not getattr(instance, "_was_active", False):
        return
    ended = sessions_end(user_id=instance.pk)
    audit(None, "user deactivated", user_id=instance.pk, sessions_ended=ended)


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(_on_login, dispatch_uid="accounts_login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="accounts_login_failed")
    user_logged_out.connect(_on_logout, dispatch_uid="accounts_logout")
    post_save.connect(_on_membership_saved, sender=Membership, dispatch_uid="accounts_membership")
    post_delete.connect(
        _on_membership_deleted, sender=Membership, dispatch_uid="accounts_membership_end"
    )
    pre_save.connect(_remember_active, sender=user_model, dispatch_uid="accounts_pre_save")
    post_save.connect(_on_user_saved, sender=user_model, dispatch_uid="accounts_post_save")
