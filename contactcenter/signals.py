from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.live.consult import consult_unanswered
from contactcenter.live.recordings import recording_status_record
from contactcenter.models import AuditAction, AuditChannel, CenterClosure, QueueConfig
from contactcenter.routing.selectors import queue_hours_forget
from contactcenter.routing.services import consult_not_taken
from contactcenter.telephony.gateway import recording_status


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(
        context=AuditContext.from_request(request, channel=_channel(request)),
        action=AuditAction.LOGIN,
        target_type="auth.user",
        target_id=user.pk,
        summary=f"{user.get_username()} signed in",
    )


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(
        context=AuditContext.from_request(request, channel=_channel(request)),
        action=AuditAction.LOGOUT,
        target_type="auth.user",
        target_id=user.pk,
        summary=(
            f"{user.get_username()} signed out after {settings.SESSION_IDLE_SECONDS // 60} idle minutes"
            if getattr(request, "session_idle_timed_out", False)
            else f"{user.get_username()} signed out"
        ),
    )


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        context=AuditContext.from_request(request, channel=_channel(request)),
        action=AuditAction.LOGIN_FAILED,
        target_type="auth.user",
        summary=f"Failed sign-in for {username!r}",
    )


@receiver(user_locked_out)
def _audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        context=AuditContext.from_request(request, channel=_channel(request)),
        action=AuditAction.LOGIN_FAILED,
        target_type="auth.user",
        summary=f"Sign-in locked out for {str(username or '')[:150]!r}",
        detail={"locked_out": True},
    )


def _channel(request) -> str:
    return AuditChannel.API if request.path.startswith("/api/") else AuditChannel.WEB


@receiver(post_save, sender=QueueConfig)
@receiver(post_delete, sender=QueueConfig)
@receiver(post_save, sender=CenterClosure)
@receiver(post_delete, sender=CenterClosure)
def _queue_hours_changed(**kwargs) -> None:
    queue_hours_forget()


# The live tier builds on the router and the gateway; they tell it what it must act on through these.
@receiver(consult_not_taken)
def _consult_not_taken(sender, *, context, consult, now, reason, **kwargs) -> None:
    consult_unanswered(context=context, consult=consult, now=now, reason=reason)


@receiver(recording_status)
def _recording_status(sender, signal, **status) -> None:
    recording_status_record(**status)
