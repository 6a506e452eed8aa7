"""JSON API of volunteer work (第一群), under /api/v1/activity/: check in, undo, check out, a
duration, the person's thank-you summaries, and the organisation's volunteers, setting and
thank-you emails. The same selectors and services as the pages."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, validated
from peers.dates import fiscal_year_of
from peers.models import Activity, Engagement, Organisation, OrganisationKind
from peers.request_params import CodeRelatedField, read_int

from .. import selectors, services
from ..models import Stage, VolunteerSession, VolunteerThanks
from ..selectors import volunteer as volunteer_selectors
from .views import EntryDetailSerializer, _entry_or_404


class VolunteerSessionSerializer(serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="engagement_id")
    organisation = serializers.IntegerField(source="engagement.organisation_id")
    undo_until = serializers.DateTimeField(read_only=True)

    class Meta:
        model = VolunteerSession
        fields = ["id", "engagement", "organisation", "checked_in_at", "checked_out_at", "undo_until"]


class OpenCheckInSerializer(serializers.Serializer):
    session = VolunteerSessionSerializer(allow_null=True, help_text="Your open check-in; null when there is none.")


class CheckInSerializer(serializers.Serializer):
    engagement = serializers.IntegerField(min_value=1, help_text="One of your current volunteer engagements.")


class CheckOutSerializer(serializers.Serializer):
    activity = CodeRelatedField(slug_field="code", queryset=Activity.objects.filter(is_active=True))
    stage = serializers.ChoiceField(choices=Stage.choices)
    people_supported = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    setting = CodeRelatedField(slug_field="code", queryset=OrganisationKind.objects.all(), required=False,
                               allow_null=True, default=None)


class HoursInSerializer(CheckOutSerializer):
    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.all())
    date = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)


def _session_data(session):
    data = VolunteerSessionSerializer(session).data
    data["undo_until"] = session.undo_until().isoformat()
    return data


def _entry_response(request, entry):
    body = EntryDetailSerializer(_entry_or_404(request.user, entry.pk), context={"user": request.user}).data
    return Response(body, status=status.HTTP_201_CREATED)


class VolunteerCheckInAPI(KakehashiAPIView):
    """GET: your open check-in (or null). POST: check in now (one deliberate action)."""

    serializer_class = VolunteerSessionSerializer

    @extend_schema(responses=OpenCheckInSerializer)
    def get(self, request):
        session = volunteer_selectors.volunteer_session_open_for(request.user)
        return Response({"session": _session_data(session) if session else None})

    @extend_schema(request=CheckInSerializer, responses={201: VolunteerSessionSerializer})
    def post(self, request):
        data = validated(CheckInSerializer, request.data)
        engagement = volunteer_selectors.volunteer_engagement_list_for(request.user).filter(
            pk=data["engagement"]).first()
        if engagement is None:
            raise Http404
        session = services.volunteer_check_in(person=request.user, engagement=engagement)
        return Response(_session_data(session), status=status.HTTP_201_CREATED)


def _open_session_or_404(user):
    session = volunteer_selectors.volunteer_session_open_for(user)
    if session is None:
        raise Http404
    return session


class VolunteerCheckInUndoAPI(KakehashiAPIView):
    serializer_class = VolunteerSessionSerializer

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.volunteer_check_in_undo(person=request.user, session=_open_session_or_404(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VolunteerCheckOutAPI(KakehashiAPIView):
    serializer_class = EntryDetailSerializer

    @extend_schema(request=CheckOutSerializer, responses={201: EntryDetailSerializer})
    def post(self, request):
        session = _open_session_or_404(request.user)
        data = validated(CheckOutSerializer, request.data)
        entry = services.volunteer_check_out(person=request.user, session=session, **data)
        return _entry_response(request, entry)


class VolunteerHoursAPI(KakehashiAPIView):
    """A duration instead of check-in and check-out."""

    serializer_class = EntryDetailSerializer

    @extend_schema(request=HoursInSerializer, responses={201: EntryDetailSerializer})
    def post(self, request):
        data = dict(validated(HoursInSerializer, request.data))
        entry = services.volunteer_hours_record(person=request.user, **data)
        return _entry_response(request, entry)


def _quarter_data(q) -> dict:
    return {"fiscal_year": q.fiscal_year, "quarter": q.quarter, "start": q.start.isoformat(), "end": q.end.isoformat(),
            "minutes": q.minutes, "hours": str(q.hours), "occasions": q.occasions,
            "activities": [{"name": name, "occasions": n} for name, n in q.activity_names]}


class VolunteerThanksAPI(KakehashiAPIView):
    """Your thank-you summary of a fiscal year (`fy`, the current one by default)."""

    @extend_schema(parameters=[OpenApiParameter("fy", int)], responses={200: None})
    def get(self, request):
        fy = read_int(request.query_params, "fy", min=2000, max=2100, default=fiscal_year_of(timezone.localdate()))
        return Response({"fiscal_year": fy, "organisations": [
            {"organisation": o.organisation.pk, "name": o.organisation.name, "minutes": o.minutes,
             "hours": str(o.hours), "occasions": o.occasions, "waiting": o.waiting,
             "quarters": [_quarter_data(q) for q in o.quarters]}
            for o in volunteer_selectors.volunteer_thanks_for(request.user, fy)
        ]})


class VolunteerSettingSerializer(serializers.Serializer):
    volunteer_hours_need_verification = serializers.BooleanField()


class ThanksSendSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


def _organisation_or_404(user, pk: int) -> Organisation:
    organisation = selectors.activity_organisation_get_for(user, pk)
    if organisation is None:
        raise Http404
    return organisation


class OrganisationVolunteersAPI(KakehashiAPIView):
    """GET: the organisation's volunteers with confirmed hours in a quarter (`fy`, `quarter`;
    the last quarter by default) and whether they were thanked, and its setting. PATCH: the
    setting `volunteer_hours_need_verification` (the manager)."""

    resource_models = (VolunteerThanks,)
    serializer_class = VolunteerSettingSerializer

    @extend_schema(parameters=[OpenApiParameter("fy", int), OpenApiParameter("quarter", int)], responses={200: None})
    def get(self, request, pk: int):
        organisation = _organisation_or_404(request.user, pk)
        fy, quarter = volunteer_selectors.read_fiscal_year_and_quarter(request.query_params)
        return Response({
            "organisation": organisation.pk,
            "volunteer_hours_need_verification": organisation.volunteer_hours_need_verification,
            "fiscal_year": fy, "quarter": quarter,
            "volunteers": [{"person": row.person.pk, "name": row.person.display_name, **_quarter_data(row.figures),
                            "thanked_at": row.sent_at.isoformat() if row.sent_at else None}
                           for row in volunteer_selectors.organisation_volunteer_thanks(organisation, fy, quarter)],
        })

    @extend_schema(request=VolunteerSettingSerializer, responses=VolunteerSettingSerializer)
    def patch(self, request, pk: int):
        organisation = _organisation_or_404(request.user, pk)
        data = validated(VolunteerSettingSerializer, request.data)
        organisation = services.activity_volunteer_verification_set(
            actor=request.user, organisation=organisation, required=data["volunteer_hours_need_verification"])
        return Response({"volunteer_hours_need_verification": organisation.volunteer_hours_need_verification})


class OrganisationThanksSendAPI(KakehashiAPIView):
    serializer_class = ThanksSendSerializer

    @extend_schema(request=ThanksSendSerializer, responses={200: None})
    def post(self, request, pk: int):
        organisation = _organisation_or_404(request.user, pk)
        data = validated(ThanksSendSerializer, request.data)
        sent = services.volunteer_thanks_send(actor=request.user, organisation=organisation,
                                              fiscal_year=data["fiscal_year"], quarter=data["quarter"])
        return Response({"sent": sent})

