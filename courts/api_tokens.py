"""API tokens expire and can be revoked (issue 12).

A token (DRF's authtoken, `Authorization: Token <key>`) is refused `API_TOKEN_SECONDS` after it was issued
(30 days), with a 401 saying so; `POST /api/auth/token/` then issues a new one. Its owner revokes it with
`DELETE /api/auth/token/`; a court administrator revokes their court's staff's tokens from the staff list
in the admin (an action), and each revocation is on the staff member's timeline.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from courts.timeline import record_event


def expired(token: Token) -> bool:
    return token.created <= timezone.now() - dt.timedelta(seconds=settings.API_TOKEN_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expired(token):
            raise exceptions.AuthenticationFailed(
                _("This API token has expired. Ask for a new one at POST /api/auth/token/.")
            )
        return user, token


def token_for(user) -> Token:
    """The user's token, a new one if theirs has expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and expired(token):
            token.delete()
            token = None
        return token or Token.objects.create(user=user)


def revoke_tokens(users, *, actor) -> int:
    """Delete the tokens of `users` (a queryset), with an event on each one's timeline; how many were
    revoked."""
    with transaction.atomic():
        locked = Token.objects.select_for_update(of=("self",)).filter(user__in=users)
        tokens = list(locked.select_related("user"))
        for token in tokens:
            record_event(
                subject=token.user,
                action="staff.revoke_api_token",
                actor=actor,
                payload={"issued_at": token.created.isoformat(), "by_owner": actor == token.user},
            )
        Token.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return len(tokens)
