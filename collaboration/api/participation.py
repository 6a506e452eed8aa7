"""GET /api/v1/meetings/{id}/participation/: the figures the chair's panel in the room shows
(issue 18), with the same access as the room's `participation` frame: everything for the
meeting's coordinators; the sector and agenda-item figures for its other members while the chair
shares them; a 403 otherwise (404 for a meeting the person cannot see at all)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ..selectors import participation_for
from .views import MeetingAPIView


class SectorFiguresSerializer(serializers.Serializer):
    sector = serializers.CharField()
    turns = serializers.IntegerField()
    seconds = serializers.IntegerField()
    messages = serializers.IntegerField()
    share_turns = serializers.FloatField(allow_null=True, help_text="0 to 1; null before the first turn.")
    share_seconds = serializers.FloatField(allow_null=True)


class ParticipationTotalsSerializer(serializers.Serializer):
    turns = serializers.IntegerField()
    seconds = serializers.IntegerField()
    messages = serializers.IntegerField()


class ItemFiguresSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField(allow_null=True, help_text="null: not tied to an agenda item.")
    order = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    seconds_allotted = serializers.IntegerField(allow_null=True)
    seconds_used = serializers.IntegerField(help_text="Speaking time on the item.")
    turns = serializers.IntegerField()
    messages = serializers.IntegerField()
    sectors = SectorFiguresSerializer(many=True)


class PersonFiguresSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()
    turns = serializers.IntegerField()
    seconds = serializers.IntegerField()
    messages = serializers.IntegerField()


class NotYetSpokenSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()


class ParticipationSerializer(serializers.Serializer):
    """The room's `participation` frame. `people` and `not_yet_spoken` are for coordinators."""

    type = serializers.CharField()
    meeting = serializers.IntegerField()
    audience = serializers.ChoiceField(choices=["coordinators", "everyone"])
    shared = serializers.BooleanField()
    balanced = serializers.BooleanField()
    current_agenda_item = serializers.IntegerField(allow_null=True)
    sectors = SectorFiguresSerializer(many=True)
    totals = ParticipationTotalsSerializer()
    items = ItemFiguresSerializer(many=True)
    people = PersonFiguresSerializer(many=True, required=False)
    not_yet_spoken = NotYetSpokenSerializer(many=True, required=False)


class ParticipationAPI(MeetingAPIView):
    serializer_class = ParticipationSerializer  # for the OpenAPI document

    @extend_schema(responses=ParticipationSerializer)
    def get(self, request, pk):
        figures = participation_for(self.access(request, pk))
        if figures is None:
            raise PermissionDenied(_("The chair has not shared the participation figures of this meeting."))
        return Response(figures)
