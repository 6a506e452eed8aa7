"""Receivers for allauth's signals (customising allauth only through its adapter and signals)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_out
from django.dispatch import Signal, receiver

# Sent by peers.services.invitation_accept, inside its transaction, with `invitation` and
# `user`: other apps attach what waited for this account (training: a visitor's application).
invitation_accepted = Signal()


@receiver(authenticator_added, sender=Authenticator, dispatch_uid="kakehashi_enrolment_counts_as_two_step")
def enrolment_counts_as_two_step(sender, request, user, authenticator, **kwargs) -> None:
    """Enrolling an authenticator (TOTP or a passkey) proves the second step in this session:
    recorded the way allauth records a second step at sign-in, so one reader sees both.
    Recovery codes generated alongside are not a second step of their own."""
    if request is None or authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)


@receiver(user_logged_out, dispatch_uid="kakehashi_signed_out_forgets_the_marker")
def signed_out_forgets_the_marker(sender, request, user, **kwargs) -> None:
    """A person who signs out did not lose a session: peers.middleware.SessionExpiredMiddleware
    removes its signed-in marker, so a later form sent from this browser is not told "signed out
    because nothing happened for a while"."""
    if request is not None:
        request.signed_out = True
