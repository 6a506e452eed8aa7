"""Whether the person behind a request passed two-step sign-in: the one mark every way in sets.

Staff scopes (staff roles, superuser rights, a named supervisor's or a body coordinator's reach,
Wagtail permissions) are granted by the selectors only to a user object that carries the mark
saying two-step sign-in was passed. Whoever builds the user for a request marks it:

- pages: `peers.middleware.TwoStepMarkMiddleware`, from allauth's authentication records in
  the session (a method "mfa" entry: the second step at sign-in, a re-authentication, or an
  authenticator enrolled in this session, see `peers.signals`);
- the API with a token: `peers.authentication.ApiTokenAuthentication`, when the person still
  has an authenticator;
- websockets: `peers.asgi.TwoStepMarkASGIMiddleware`, from the same session records.

A user object without the mark (loaded in a background task, a shell, a test) has no staff
scope: the default is "not passed". Code that legitimately acts for the system marks its user
with `acting_for_system(user)`, which says so where it is called.

Whether the mark still holds is confirmed once per user object against the database (the
person may have removed their last authenticator since): one query, only when a staff scope is
asked for.
"""

from __future__ import annotations

from collections.abc import Callable

_MARK = "_kakehashi_two_step"
_CAPABILITY_CACHE = "_kakehashi_staff_capability"
_NOT_PASSED = "no"
_CLAIMED = "claimed"  # the session or token says so; confirmed against the authenticators once
_PASSED = "yes"

# Other apps add what makes someone hold staff work without a staff role (a named supervisor,
# a body coordinator); see `register_staff_capability`.
_capability_rows: list[Callable[[object], object]] = []


def two_step_mark(user, *, passed: bool):
    """Mark a user object for this request: passed two-step sign-in (still to be confirmed
    against their authenticators) or not. Returns the user."""
    if user is not None and getattr(user, "is_authenticated", False):
        setattr(user, _MARK, _CLAIMED if passed else _NOT_PASSED)
    return user


def two_step_mark_confirmed(user, *, has_authenticator: bool):
    """For a way in that already read, in its own query, whether the person has an
    authenticator (an API token made after two-step sign-in): passed exactly while they do."""
    if user is not None and getattr(user, "is_authenticated", False):
        setattr(user, _MARK, _PASSED if has_authenticator else _NOT_PASSED)
    return user


def acting_for_system(user):
    """For services and tasks that act for the platform itself (a scheduled job run in the name
    of the person who started it after passing two-step sign-in, a management command an
    operator runs): the user's staff scopes apply without a session. Never use it for a
    request."""
    if user is not None and getattr(user, "is_authenticated", False):
        setattr(user, _MARK, _PASSED)
    return user


def two_step_passed(user) -> bool:
    """True when this user object carries the mark and the person still has an authenticator."""
    state = getattr(user, _MARK, None)
    if state == _PASSED:
        return True
    if state != _CLAIMED:
        return False
    from allauth.mfa.utils import is_mfa_enabled

    confirmed = is_mfa_enabled(user)
    setattr(user, _MARK, _PASSED if confirmed else _NOT_PASSED)
    return confirmed


def two_step_marked(user) -> bool:
    """Whether someone set the mark at all (passed or not): a way in that forgot it shows here."""
    return getattr(user, _MARK, None) is not None


def session_two_step_passed(session, user) -> bool:
    """Whether allauth's authentication records in this session hold a second step for this user."""
    from allauth.account.authentication import get_authentication_records

    class _Holder:  # get_authentication_records reads request.session only
        pass

    holder = _Holder()
    holder.session = session
    try:
        records = get_authentication_records(holder, user)
    except Exception:  # noqa: BLE001 - an unreadable session is "not passed", never an error
        return False
    return any(isinstance(r, dict) and r.get("method") == "mfa" for r in records)


def register_staff_capability(rows: Callable[[object], object]) -> None:
    """An app says what else gives someone staff work (called from its AppConfig.ready): `rows`
    maps a user to a queryset that has rows while the person holds that work. All of them are
    asked in one query (user_holds_staff_capability)."""
    if rows not in _capability_rows:
        _capability_rows.append(rows)


def user_holds_staff_capability(user) -> bool:
    """Whether this person holds any staff capability, passed two-step sign-in or not: a staff
    role, editor or superuser rights, Wagtail admin access through a group, or staff work
    another app registers (named supervisor, body coordinator). They need two-step sign-in
    passed in the session before any of it applies."""
    if not getattr(user, "is_authenticated", False):
        return False
    from .models import STAFF_ROLES
    from .selectors import role_assignment_list_all

    if user.is_superuser or user.is_staff:
        return True
    if any(a.role in STAFF_ROLES for a in role_assignment_list_all(user)):
        return True
    cached = getattr(user, _CAPABILITY_CACHE, None)
    if cached is not None:
        return cached
    from django.contrib.auth.models import Permission
    from django.db.models import Exists, Q

    from .models import User

    wagtail_admin = Permission.objects.filter(
        Q(group__user=user) | Q(user=user), content_type__app_label="wagtailadmin", codename="access_admin"
    )
    any_of = Q(Exists(wagtail_admin))
    for rows in _capability_rows:
        any_of |= Q(Exists(rows(user)))
    # One query whatever the number of registered kinds of staff work.
    holds = User.objects.filter(pk=user.pk).filter(any_of).exists()
    setattr(user, _CAPABILITY_CACHE, holds)
    return holds
