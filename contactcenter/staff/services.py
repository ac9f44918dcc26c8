"""Staff accounts: creating a member of staff, their roles, and the phone line an agent is reached on."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditAction,
    StaffProfile,
    Tier,
)
from contactcenter.staff.roles import Role

User = get_user_model()


def staff_user_create(
    *,
    context: AuditContext,
    username: str,
    password: str | None,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    tier: int = Tier.NONE,
    languages: Iterable[str] = ("en",),
    skills: Iterable[str] = (),
    time_zone: str = "America/New_York",
    district: str = "",
    title: str = "",
) -> User:
    roles = list(roles)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ApplicationError(f"A staff member with username {username!r} already exists.")
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=Role.ADMINISTRATOR in roles,
            is_superuser=Role.ADMINISTRATOR in roles,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        profile = StaffProfile(
            user=user,
            tier=tier,
            languages=list(languages),
            skills=list(skills),
            time_zone=time_zone,
            district=district,
            title=title,
        )
        profile.full_clean()
        profile.save()
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="auth.user",
            target_id=user.pk,
            summary=f"Staff account {username} created with roles {', '.join(r.value for r in roles)}",
        )
    return user


def staff_roles_set(*, context: AuditContext, user: User, roles: Iterable[Role]) -> User:
    roles = list(roles)
    with transaction.atomic():
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        user.is_staff = user.is_superuser = Role.ADMINISTRATOR in roles
        user.save(update_fields=["is_staff", "is_superuser"])
        user.__dict__.pop("_ncsc_roles", None)
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="auth.user",
            target_id=user.pk,
            summary=f"Roles of {user.get_username()} set to {', '.join(r.value for r in roles) or 'none'}",
        )
    return user


def staff_agent_line_set(*, context: AuditContext, user_id: int, line: str) -> StaffProfile:
    """A supervisor or administrator gives a Tier 1 or Tier 2 agent a desk phone or SIP line (or, empty,
    takes them back to the browser): stored normalised, audited by field name."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    with transaction.atomic():
        profile = (
            StaffProfile.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user_id)
            .exclude(tier=Tier.NONE)
            .first()
        )
        if profile is None:
            raise ApplicationError(_("Choose a Tier 1 or Tier 2 agent."), field="agent")
        before = profile.agent_line
        profile.agent_line = (line or "").strip()
        try:
            profile.full_clean()
        except ValidationError as error:
            messages = error.message_dict.get("agent_line") if hasattr(error, "error_dict") else None
            raise ApplicationError(" ".join(messages or error.messages), field="line") from error
        if profile.agent_line == before:
            return profile
        profile.save(update_fields=["agent_line", "updated_at"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.staffprofile",
            target_id=profile.pk,
            summary=f"Calls of {profile.user.get_username()} now ring "
            + ("at a desk phone or SIP line" if profile.agent_line else "in the browser"),
            detail={"fields": ["agent_line"]},
        )
    return profile


__all__ = ["staff_agent_line_set", "staff_roles_set", "staff_user_create"]
