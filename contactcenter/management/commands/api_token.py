"""An operator's tool: mint an API token for a staff account (printed once), or revoke its tokens.
Staff mint their own at POST /api/auth/token/ from a signed-in session."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditChannel


class Command(BaseCommand):
    help = "Create an API token for a user (printed once; it expires after API_TOKEN_TTL_HOURS), or --revoke theirs."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="revoke every token of the user instead")

    def handle(self, *args, username: str, revoke: bool, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        context = AuditContext.system(channel=AuditChannel.COMMAND)
        if revoke:
            count = services.api_token_revoke(user=user, context=context)
            self.stdout.write(f"Revoked {count} token(s) of {username}.")
            return
        try:
            self.stdout.write(services.api_token_create(user=user, context=context))
        except ApplicationError as error:
            raise CommandError(error.message) from error
