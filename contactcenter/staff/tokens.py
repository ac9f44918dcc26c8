"""API tokens (django-rest-knox): only a digest is stored, and each token expires after
API_TOKEN_TTL_HOURS. A token is minted only for the user asking (or by an operator's command)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken, get_digest_token
from knox.settings import CONSTANTS

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditAction

__all__ = ["api_token_create", "api_token_revoke"]


def api_token_create(*, user, context: AuditContext) -> str:
    """Mint a token for `user` and return it: the only time it is ever seen, since only its digest is kept."""
    if not user.is_active:
        raise ApplicationError("An inactive account cannot hold an API token.")
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        digest, token = get_digest_token()
        instance = AuthToken(
            digest=digest,
            token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
            user=user,
            expiry=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        instance.full_clean(validate_unique=False)  # a fresh random digest
        instance.save(force_insert=True)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="knox.authtoken",
            target_id=instance.digest[:16],
            summary=f"API token created for {user.get_username()}",
            detail={"expires": instance.expiry.isoformat()},
        )
    return token


def api_token_revoke(*, user, context: AuditContext, digest: str | None = None) -> int:
    """Revoke one of `user`'s tokens (by digest), or all of them; return how many were revoked."""
    with transaction.atomic():
        tokens = AuthToken.objects.filter(user=user)
        if digest is not None:
            tokens = tokens.filter(digest=digest)
        digests = list(tokens.values_list("digest", flat=True))
        AuthToken.objects.filter(digest__in=digests).delete()
        audit_record(
            context=context,
            action=AuditAction.DELETE,
            target_type="knox.authtoken",
            target_id=digest[:16] if digest else "",
            summary=f"{len(digests)} API token(s) of {user.get_username()} revoked",
        )
    return len(digests)
