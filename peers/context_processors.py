from django.conf import settings
from django.urls.base import translate_url

from .selectors import role_assignment_list_for, user_has_staff_role


def navigation(request):
    """What the shared layout needs: the other languages' addresses and the person's roles."""
    path = request.get_full_path() if request is not None else "/"
    languages = [
        {"code": code, "name": name, "url": translate_url(path, code)}
        for code, name in settings.LANGUAGES
    ]
    user = getattr(request, "user", None)
    return {
        "site_languages": languages,
        "my_roles": role_assignment_list_for(user) if user is not None else [],
        "is_staff_person": user_has_staff_role(user) if user is not None else False,
        "open_signup": settings.KAKEHASHI_OPEN_SIGNUP,
    }


def display(request):
    """The person's display settings for the base template's `<html>` (peers/preferences.py)."""
    from .plain import plain_active
    from .preferences import DISPLAY_SETTINGS, display_for

    values = display_for(request)
    return {
        "display": values,
        # The hand-written plain Japanese texts are wanted (peers/plain.py).
        "plain_japanese": plain_active(),
        "display_attributes": [
            {"attribute": item.attribute, "value": values[item.name]} for item in DISPLAY_SETTINGS
        ],
    }
