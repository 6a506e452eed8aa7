"""JSON API (/api/v1/) for bodies, meetings and their records. Same selectors and services as
the pages and the websocket. Bad input answers a 400 problem (RFC 9457) with every message in
Japanese and English, and changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated
from peers.models import User
from peers.request_params import MAX_ID, read_int

from .. import services
from ..models import (
    ActionItem,
    AgendaItem,
    Attendance,
    ConsultationBody,
    Decision,
    Meeting,
    MeetingInvitation,
    Message,
    Minutes,
    Reply,
)
from ..realtime import message_payload
from ..selectors import (
    agenda_item_list,
    attendance_list,
    body_get_for,
    body_list_for,
    invitation_list,
    meeting_access_for,
    meeting_list_for,
    message_list_after,
    reply_accommodations_read,
)


class MeetingAPIView(KakehashiAPIView):
    """Resolves the meeting through the access selector (404 for unknown and forbidden alike).
    Refusals and bad input are answered by the API's one exception handler (peers.api.problems)."""

    coordinate = False

    def access(self, request, pk):
        access = meeting_access_for(request.user, pk)
        if access is None or (self.coordinate and not access.can_coordinate):
            raise Http404
        return access


# Serializers ---------------------------------------------------------------------------


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsultationBody
        fields = ["id", "name", "level", "prefecture", "region", "municipality", "description", "secret_ballot",
                  "vote_majority", "vote_quorum"]
        # The body's voting rules: set on the staff body page.
        read_only_fields = ["secret_ballot", "vote_majority", "vote_quorum"]


class FollowUpSerializer(serializers.ModelSerializer):
    """The action item a follow-up agenda item was carried from, with owner and due date."""

    owner_name = serializers.SerializerMethodField()
    from_meeting = serializers.IntegerField(source="meeting_id")

    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner", "owner_name", "due_on", "status", "from_meeting"]

    def get_owner_name(self, obj) -> str:
        return str(obj.owner) if obj.owner_id else ""


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter = serializers.CharField(source="presenter_label")
    follow_up = FollowUpSerializer(source="action_item", read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "order", "title", "minutes_allotted", "presenter", "follow_up"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "body", "title", "description", "starts_at", "ends_at", "place", "online_url",
                  "status", "last_seq"]


class ReplySerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=Reply.Response.choices)
    accommodation_request = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    accommodation_consent = serializers.BooleanField(
        required=False, default=False,
        help_text="Consent to share the accommodation request with the meeting's coordinators; "
                  "a request is stored only with it (or an active consent given before).",
    )


class InvitationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name")
    reply = serializers.SerializerMethodField()
    accommodation_request = serializers.SerializerMethodField()

    class Meta:
        model = MeetingInvitation
        fields = ["id", "user", "name", "sector", "is_guest", "reply", "accommodation_request"]

    def get_reply(self, obj) -> str | None:
        reply = getattr(obj, "reply", None)
        return reply.response if reply else None

    def get_accommodation_request(self, obj) -> str:
        """Only what the reader may see (reply_accommodations_read, logged there)."""
        return self.context.get("accommodations", {}).get(obj.pk, "")


class AttendanceInSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    present = serializers.BooleanField()


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["user", "sector", "present", "recorded_at"]


class MinutesInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=100_000)


class MinutesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Minutes
        fields = ["text", "public_text", "status", "approved_at", "published_at"]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "agenda_item", "text", "created_at"]
        read_only_fields = ["id", "created_at"]


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "agenda_item", "decision", "description", "owner", "due_on", "status"]
        read_only_fields = ["id", "meeting", "status"]


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)


class _MessageAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)


class MessageSerializer(serializers.Serializer):
    """A message as clients see it (realtime.message_payload): deleted and hidden ones keep their
    place and number but lose their text."""

    type = serializers.ChoiceField(choices=["message"])
    seq = serializers.IntegerField()
    rev = serializers.IntegerField()
    author = _MessageAuthorSerializer()
    body = serializers.CharField(allow_blank=True)
    reply_to = serializers.IntegerField(allow_null=True, help_text="The number (seq) of the message this one answers.")
    thread = serializers.IntegerField(
        allow_null=True, help_text="The number (seq) of the first message of the thread this reply is in.")
    agenda_item = serializers.IntegerField(allow_null=True)
    content_note = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    edited = serializers.BooleanField()
    deleted = serializers.BooleanField()
    hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField(allow_blank=True)


class MessageInSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1,
        help_text="Answer the message with this number (seq) in this meeting: the reply joins its thread.")
    agenda_item = serializers.IntegerField(required=False, allow_null=True, default=None)
    content_note = serializers.BooleanField(required=False, default=False)


# Views ---------------------------------------------------------------------------------


class BodyList(KakehashiAPIView):
    serializer_class = BodySerializer  # for the OpenAPI document

    @list_endpoint(BodySerializer, operation_id="bodies_list")
    def get(self, request):
        items, next_url = self.page(body_list_for(request.user), ["name", "id"])
        return Response({"results": BodySerializer(items, many=True).data, "next": next_url})


class BodyDetail(KakehashiAPIView):
    serializer_class = BodySerializer  # for the OpenAPI document
    def get(self, request, pk):
        body = body_get_for(request.user, pk)
        if body is None:
            raise Http404
        return Response(BodySerializer(body).data)


class MeetingList(KakehashiAPIView):
    serializer_class = MeetingSerializer  # for the OpenAPI document

    @list_endpoint(MeetingSerializer, operation_id="meetings_list")
    def get(self, request):
        items, next_url = self.page(meeting_list_for(request.user), ["-starts_at", "-id"])
        return Response({"results": MeetingSerializer(items, many=True).data, "next": next_url})


class MeetingDetail(MeetingAPIView):
    serializer_class = MeetingSerializer  # for the OpenAPI document
    def get(self, request, pk):
        access = self.access(request, pk)
        data = MeetingSerializer(access.meeting).data
        data["agenda"] = AgendaItemSerializer(agenda_item_list(access.meeting), many=True).data
        data["can_coordinate"] = access.can_coordinate
        return Response(data)


class Agenda(MeetingAPIView):
    serializer_class = AgendaItemSerializer  # for the OpenAPI document

    @list_endpoint(AgendaItemSerializer)
    def get(self, request, pk):
        access = self.access(request, pk)
        items, next_url = self.page(agenda_item_list(access.meeting), ["order", "id"])
        return Response({"results": AgendaItemSerializer(items, many=True).data, "next": next_url})


class CarryOver(MeetingAPIView):
    """Coordinators: put the open action items of the body's earlier meetings that are not yet
    on this meeting's agenda onto it (idempotent; done when a meeting is created, too)."""

    serializer_class = AgendaItemSerializer  # for the OpenAPI document
    coordinate = True

    @extend_schema(request=None, responses=AgendaItemSerializer(many=True))
    def post(self, request, pk):
        access = self.access(request, pk)
        rows = services.action_items_carry_over(access=access, user=request.user)
        added = agenda_item_list(access.meeting).filter(pk__in=[r.pk for r in rows])
        return Response(AgendaItemSerializer(added, many=True).data,
                        status=status.HTTP_201_CREATED if rows else status.HTTP_200_OK)


class Invitations(MeetingAPIView):
    serializer_class = InvitationSerializer  # for the OpenAPI document

    @list_endpoint(InvitationSerializer)
    def get(self, request, pk):
        access = self.access(request, pk)
        rows = invitation_list(access.meeting)
        if not access.can_coordinate:
            rows = rows.filter(user=request.user)  # others' replies and requests are not shown
        items, next_url = self.page(rows, ["id"])
        shown = reply_accommodations_read(access=access, viewer=request.user, invitations=items,
                                          context=f"API: {access.meeting.title}")
        return Response({"results": InvitationSerializer(items, many=True, context={"accommodations": shown}).data,
                         "next": next_url})


class ReplyView(MeetingAPIView):
    serializer_class = ReplySerializer  # for the OpenAPI document
    resource_models = (Reply,)  # for the API coverage test

    def post(self, request, pk):
        access = self.access(request, pk)
        invitation = MeetingInvitation.objects.filter(meeting=access.meeting, user=request.user).first()
        if invitation is None:
            raise Http404
        data = validated(ReplySerializer, request.data)
        reply = services.reply_save(invitation=invitation, user=request.user, **data)
        return Response({"response": reply.response, "accommodation_request": reply.accommodation_request})


class AttendanceView(MeetingAPIView):
    serializer_class = AttendanceSerializer  # for the OpenAPI document
    coordinate = True

    @list_endpoint(AttendanceSerializer)
    def get(self, request, pk):
        rows = attendance_list(self.access(request, pk).meeting)
        items, next_url = self.page(rows, ["sector", "user__display_name", "id"])
        return Response({"results": AttendanceSerializer(items, many=True).data, "next": next_url})

    def post(self, request, pk):
        access = self.access(request, pk)
        data = validated(AttendanceInSerializer, request.data)
        row = services.attendance_record(access=access, user=request.user, person=data["user"], present=data["present"])
        return Response(AttendanceSerializer(row).data, status=status.HTTP_201_CREATED)


class MinutesView(MeetingAPIView):
    serializer_class = MinutesSerializer  # for the OpenAPI document
    def get(self, request, pk):
        access = self.access(request, pk)
        minutes = Minutes.objects.filter(meeting=access.meeting).first()
        if minutes is None:
            raise Http404
        return Response(MinutesSerializer(minutes).data)

    def put(self, request, pk):
        self.coordinate = True
        access = self.access(request, pk)
        data = validated(MinutesInSerializer, request.data)
        minutes = services.minutes_save(access=access, user=request.user, text=data["text"])
        return Response(MinutesSerializer(minutes).data)


class Decisions(MeetingAPIView):
    serializer_class = DecisionSerializer  # for the OpenAPI document

    @list_endpoint(DecisionSerializer)
    def get(self, request, pk):
        access = self.access(request, pk)
        items, next_url = self.page(access.meeting.decisions.all(), ["id"])
        return Response({"results": DecisionSerializer(items, many=True).data, "next": next_url})

    def post(self, request, pk):
        self.coordinate = True
        access = self.access(request, pk)
        data = validated(DecisionSerializer, request.data)
        decision = services.decision_record(access=access, user=request.user, **data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ActionItems(MeetingAPIView):
    serializer_class = ActionItemSerializer  # for the OpenAPI document

    @list_endpoint(ActionItemSerializer)
    def get(self, request, pk):
        access = self.access(request, pk)
        # In the order they were set (a due date may be empty, so it cannot carry a cursor).
        items, next_url = self.page(access.meeting.action_items.all(), ["id"])
        return Response({"results": ActionItemSerializer(items, many=True).data, "next": next_url})

    def post(self, request, pk):
        self.coordinate = True
        access = self.access(request, pk)
        data = validated(ActionItemSerializer, request.data)
        item = services.action_item_create(access=access, user=request.user, **data)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ActionItemDetail(MeetingAPIView):
    serializer_class = ActionStatusSerializer  # for the OpenAPI document
    def patch(self, request, pk):
        item = get_object_or_404(ActionItem.objects.select_related("meeting"), pk=pk)
        access = self.access(request, item.meeting_id)
        data = validated(ActionStatusSerializer, request.data)
        item = services.action_item_set_status(access=access, user=request.user, item=item, status=data["status"])
        return Response(ActionItemSerializer(item).data)


class Messages(MeetingAPIView):
    serializer_class = MessageInSerializer  # for the OpenAPI document
    resource_models = (Message,)  # for the API coverage test

    @list_endpoint(MessageSerializer, parameters=[OpenApiParameter(
        "after", int, description="Messages posted or changed after this sequence number.")])
    def get(self, request, pk):
        access = self.access(request, pk)
        after = read_int(request.query_params, "after", min=0, max=MAX_ID, default=0)
        items, next_url = self.page(message_list_after(access.meeting, after), ["rev", "id"])
        return Response({"results": [message_payload(m) for m in items], "next": next_url})

    @transaction.non_atomic_requests
    def post(self, request, pk):
        access = self.access(request, pk)
        data = validated(MessageInSerializer, request.data)
        message, result = services.message_post(
            access=access, author=request.user, body=data["body"], reply_to_seq=data["reply_to"],
            agenda_item_id=data["agenda_item"], content_note=data["content_note"],
        )
        payload = message_payload(message)
        payload["delivered"] = bool(result.delivered)
        return Response(payload, status=status.HTTP_201_CREATED)

