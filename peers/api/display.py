"""The person's display settings and quiet hours (/api/v1/me/display/), the same as the account
page's (peers.views.display.preferences), through the same service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ..models import User
from ..preferences import DISPLAY_SETTINGS
from ..services.accounts import user_preferences_save
from .base import KakehashiAPIView, validated


class DisplaySerializer(serializers.Serializer):
    """Every display setting (peers.preferences.DISPLAY_SETTINGS), then quiet hours (Japan time,
    both null when off). In a PATCH every field is optional."""

    def get_fields(self):
        fields = {
            item.name: serializers.ChoiceField(choices=item.choices.choices, required=False,
                                               help_text=str(item.label))
            for item in DISPLAY_SETTINGS
        }
        fields["quiet_hours_start"] = serializers.TimeField(
            allow_null=True, required=False, format="%H:%M",
            help_text="Japan time; emails and digests are held from then. Null with the end: off.")
        fields["quiet_hours_end"] = serializers.TimeField(
            allow_null=True, required=False, format="%H:%M",
            help_text="Japan time; held emails are sent from then. May be before the start (overnight).")
        return fields


def _display_data(user) -> dict:
    data = {item.name: getattr(user, item.name) for item in DISPLAY_SETTINGS}
    data["quiet_hours_start"] = user.quiet_hours_start
    data["quiet_hours_end"] = user.quiet_hours_end
    return DisplaySerializer(data).data


class MyDisplayAPI(KakehashiAPIView):
    """Your display settings (text size, theme) and quiet hours for emails."""

    own_record_only = True  # the caller's own settings, open without two-step sign-in
    serializer_class = DisplaySerializer
    resource_models = (User,)

    @extend_schema(responses=DisplaySerializer, operation_id="me_display")
    def get(self, request):
        return Response(_display_data(request.user))

    @extend_schema(request=DisplaySerializer, responses=DisplaySerializer, operation_id="me_display_update")
    def patch(self, request):
        data = validated(DisplaySerializer, request.data)
        user = User.objects.get(pk=request.user.pk)
        quiet_hours = None
        if "quiet_hours_start" in data or "quiet_hours_end" in data:
            quiet_hours = (data.get("quiet_hours_start", user.quiet_hours_start),
                           data.get("quiet_hours_end", user.quiet_hours_end))
        display = {item.name: data[item.name] for item in DISPLAY_SETTINGS if item.name in data}
        user_preferences_save(user=user, display=display, quiet_hours=quiet_hours)
        return Response(_display_data(user))
