"""The websocket way in marks its user like the pages do (peers.access)."""

from __future__ import annotations

from channels.db import database_sync_to_async

from .access import session_two_step_passed, two_step_mark


class TwoStepMarkASGIMiddleware:
    """Inside channels' AuthMiddlewareStack: marks scope["user"] with whether two-step sign-in
    was passed in the session the socket was opened from. Without it the user has no staff
    scope (a coordinator joins as an ordinary member and cannot moderate)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        session = scope.get("session")
        if user is not None and session is not None:
            await database_sync_to_async(_mark)(user, session)
        return await self.inner(scope, receive, send)


def _mark(user, session) -> None:
    if getattr(user, "is_authenticated", False):
        wrapped = getattr(user, "_wrapped", user)
        two_step_mark(wrapped, passed=session_two_step_passed(session, wrapped))
