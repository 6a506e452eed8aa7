"""API tokens for tests, made through the real service.

The service makes a token only after two-step sign-in. For someone without an authenticator
the helper enrols one, makes the token and removes the authenticator again: the same state as
a person who made a token and later turned two-step sign-in off (their staff scopes stop; their
own record stays reachable).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from peers.access import two_step_mark
from peers.services import api_token_create

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def bearer_for(user, *, scope: str = "read_write", days: int | None = None, name: str = "test") -> str:
    """The whole `kk_<prefix>_<secret>` string of a new token for the person."""
    from peers.models import User

    person = User.objects.get(pk=user.pk)  # a fresh object: the caller's keeps no mark
    had_authenticator = Authenticator.objects.filter(user=person).exists()
    if not had_authenticator:
        added = TOTP.activate(person, TOTP_SECRET)
    two_step_mark(person, passed=True)
    _token, secret = api_token_create(user=person, name=name, scope=scope, days=days)
    if not had_authenticator:
        Authenticator.objects.filter(pk=added.instance.pk).delete()
    return secret
