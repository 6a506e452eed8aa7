"""How allauth fits our rules: sign-up by invitation, invited emails count as verified,
emails leave through the background worker."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .addresses import client_address
from .selectors import invitation_get_usable
from .services import invitation_accept, user_set_language
from .tasks import send_email

INVITATION_SESSION_KEY = "kakehashi_invitation"


def session_invitation(request):
    token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    return invitation_get_usable(token) if token else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        if settings.KAKEHASHI_OPEN_SIGNUP:
            return True
        return session_invitation(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        if request is not None and not request.user.is_authenticated:
            invitation = session_invitation(request)
            if invitation is not None and invitation.email.lower() != email.strip().lower():
                raise ValidationError(
                    _("Please sign up with the address the invitation was sent to: %(email)s")
                    % {"email": invitation.email}
                )
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name") or user.email.split("@")[0]
        user.name_kana = form.cleaned_data.get("name_kana", "")
        user.language = (request.LANGUAGE_CODE if request else None) or settings.LANGUAGE_CODE
        if commit:
            user.save()
            invitation = session_invitation(request)
            if invitation is not None:
                invitation_accept(invitation=invitation, user=user)
                request.session.pop(INVITATION_SESSION_KEY, None)
        return user

    def login(self, request, user):
        super().login(request, user)
        # The language in use when signing in becomes the account's remembered choice only if
        # the person never chose one; otherwise their saved choice wins on the next page.
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language:
            user_set_language(user=user, language=language)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        html = None
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        send_email.enqueue(
            subject=msg.subject, body=msg.body, to=list(msg.to), html=html, from_email=msg.from_email
        )

    def get_client_ip(self, request) -> str:
        """The one client-address rule (peers/addresses.py) for allauth's rate limits and
        sessions too: X-Forwarded-For only from KAKEHASHI_TRUSTED_PROXIES."""
        return client_address(request)
