"""The API's way in: who is calling (session or token) and whether staff data may open to them.

Every endpoint asks `TwoStepForStaff` (a default permission): someone who holds a staff
capability but has not passed two-step sign-in (in the session; for a token: still has an
authenticator) gets 403 `application/problem+json` (RFC 9457) saying how to enrol, except on
endpoints that serve only the caller's own record (`own_record_only = True` on the view).
The selectors behind every endpoint grant staff scopes on the same mark (peers.access).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.permissions import BasePermission

from .access import two_step_passed, user_holds_staff_capability
from .api.problems import Problem


class TwoStepRequired(Problem):
    code = "two_step_required"
    title = _("Two-step sign-in required")
    message = _(
        "Staff data opens only after two-step sign-in. Turn it on at /accounts/2fa/ (an "
        "authenticator app or a passkey) and sign in with the second step; an API token works "
        "for staff data only while your account has two-step sign-in."
    )


class TwoStepForStaff(BasePermission):
    """Staff-capable people reach the API beyond their own record only after two-step sign-in."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "own_record_only", False):
            return True
        user = request.user
        if not getattr(user, "is_authenticated", False) or two_step_passed(user):
            return True
        if user_holds_staff_capability(user):
            raise TwoStepRequired()
        return True


# --- API tokens -----------------------------------------------------------------------------------

import hmac  # noqa: E402
import re  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authentication import BaseAuthentication, get_authorization_header  # noqa: E402

_TOKEN = re.compile(r"^kk_([0-9a-f]{12})_([0-9a-f]{64})$")
_LAST_USED_EVERY = timedelta(seconds=60)


class TokenProblem(Problem):
    """A token that cannot be used: 401, with the same problem+json shape as the 403s."""

    status_code = status.HTTP_401_UNAUTHORIZED
    explained_at = "peers:api_tokens"


class TokenInvalid(TokenProblem):
    code = "token_invalid"
    title = _("API token not accepted")
    message = _(
        "This API token is not valid. Send it as \"Authorization: Bearer kk_…\", exactly as it "
        "was shown when you made it; you can make a new one on your account page (/me/tokens/)."
    )


class TokenExpired(TokenProblem):
    code = "token_expired"
    title = _("API token expired")
    message = _("This API token has expired. Make a new one on your account page (/me/tokens/).")


class TokenRevoked(TokenProblem):
    code = "token_revoked"
    title = _("API token revoked")
    message = _("This API token was revoked. Make a new one on your account page (/me/tokens/) if you need one.")


class TokenReadOnly(Problem):
    code = "token_read_only"
    title = _("Read-only API token")
    message = _(
        "This API token can only read. Make a read-and-write token on your account page "
        "(/me/tokens/) to change records."
    )
    explained_at = "peers:api_tokens"


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer kk_<prefix>_<secret>`: the person's own API token.

    A staff person's token carries their staff scopes only while they still have an
    authenticator (the token was made after two-step sign-in; peers.access confirms the mark
    against the authenticators). A read-only token may not use unsafe methods.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        keyword = header[0].lower()
        if keyword == b"token":  # the old DRF scheme: say how to send a token now
            raise TokenInvalid()
        if keyword != b"bearer":
            return None
        if len(header) != 2:
            raise TokenInvalid()
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenInvalid() from None
        return self.authenticate_token(request, raw)

    def authenticate_token(self, request, raw: str):
        from allauth.mfa.models import Authenticator
        from django.db.models import Exists, OuterRef

        from .access import two_step_mark_confirmed
        from .models import ApiToken
        from .services import api_token_secret_digest

        match = _TOKEN.match(raw)
        if not match:
            raise TokenInvalid()
        prefix, secret = match.groups()
        token = (
            ApiToken.objects.select_related("user")
            .annotate(has_authenticator=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"))))
            .filter(prefix=prefix).first()
        )
        if token is None or not hmac.compare_digest(token.digest, api_token_secret_digest(secret)):
            raise TokenInvalid()
        now = timezone.now()
        if token.revoked_at is not None:
            raise TokenRevoked()
        if token.is_expired(now):
            raise TokenExpired()
        user = token.user
        if not user.is_active:
            raise TokenInvalid()
        if token.scope != ApiToken.Scope.READ_WRITE and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise TokenReadOnly()
        # At most one write a minute per token, whatever the traffic (the WHERE decides when
        # two requests race; the check before it saves the query on every other request).
        if token.last_used_at is None or token.last_used_at < now - _LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - _LAST_USED_EVERY)
            ).update(last_used_at=now)
        # Staff scopes open only while the person still has an authenticator: read in the
        # same query as the token, so removing two-step sign-in stops them at once.
        two_step_mark_confirmed(user, has_authenticator=token.has_authenticator)
        return user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


from drf_spectacular.extensions import OpenApiAuthenticationExtension  # noqa: E402


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "peers.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "kk_<prefix>_<secret>",
            "description": (
                "A personal API token made at /me/tokens/ after two-step sign-in: read only or "
                "read and write, 90 days unless chosen otherwise (1-365), revocable. A staff "
                "person's token reaches staff data only while their two-step sign-in stays on."
            ),
        }
