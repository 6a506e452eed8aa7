"""JSON API under /api/v1/training/ and /api/v1/verify/: the same selectors decide access and
the same services change state as the pages. Bad input is a 400 naming each field, with every
message in Japanese and English, and nothing changed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated
from peers.errors import both_languages
from peers.request_params import BadParameter

from ..models import (
    ACCOMMODATION_MAX_CHARS,
    ELIGIBILITY_FOR_ROLE,
    Application,
    Attendance,
    Certification,
    Cohort,
    CohortDay,
    Completion,
    Course,
    CurriculumModule,
    Eligibility,
    PairRole,
)
from ..ratelimit import allow
from ..selectors import (
    accommodation_requests_read,
    application_get_for,
    application_list_for,
    application_list_of,
    certification_get_for_staff,
    certification_list_for,
    cohort_list_for,
    cohort_list_open,
    completion_list_for,
    completion_list_of,
    course_list_for,
    verification_get,
)
from ..services import (
    application_pair_submit,
    application_submit,
    application_transition,
    attendance_record,
    certification_recertify,
    certification_reinstate,
    certification_renew,
    certification_revoke,
    certification_suspend,
)


class CourseSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    modules = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = ["id", "body", "kind", "kind_label", "title", "completion_rule", "minimum_hours", "prerequisites", "modules"]

    def get_modules(self, course) -> list[dict]:
        return [{"title": m.title, "hours": str(m.hours)} for m in course.modules.all()]


class CohortSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    days = serializers.SerializerMethodField()
    places_taken = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = ["id", "course", "course_title", "name", "year", "online", "prefecture", "place", "capacity",
                  "places_taken", "applications_open", "applications_close", "selection", "pair_applications",
                  "fee_yen", "funding_source", "funding_thousand_yen", "days"]

    def get_days(self, cohort) -> list[dict]:
        return [{"id": d.pk, "date": d.date, "starts_at": d.starts_at, "ends_at": d.ends_at, "hours": str(d.hours)}
                for d in cohort.days.all()]


class ApplicationSerializer(serializers.ModelSerializer):
    applicant_name = serializers.CharField(source="person_name", read_only=True)
    accommodation_request = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "cohort", "applicant", "applicant_name", "organisation", "pair", "pair_role",
                  "eligibility", "state", "created_at", "accommodation_request"]

    def get_accommodation_request(self, application) -> str | None:
        """Only the cohort's organisers (and the applicant) read the request; others get null."""
        shown = self.context.get("accommodations")
        if shown is None:  # one application: read (and logged) here
            user = self.context.get("user")
            shown = accommodation_requests_read(viewer=user, applications=[application], context="API") \
                if user is not None else {}
        return shown.get(application.pk)


class ApplicationInput(serializers.Serializer):
    cohort = serializers.IntegerField()
    consent = serializers.BooleanField()
    organisation = serializers.IntegerField(required=False, allow_null=True)
    peer_email = serializers.EmailField(
        required=False, allow_blank=True,
        help_text="Pairs-only cohorts: the 当事者's account email (may be the sender's).")
    peer_eligibility = serializers.ChoiceField(
        choices=[c for c in Eligibility.choices if c[0] in ELIGIBILITY_FOR_ROLE[PairRole.PEER]],
        required=False, allow_blank=True)
    supporter_email = serializers.EmailField(
        required=False, allow_blank=True,
        help_text="Pairs-only cohorts: the 協働支援者's account email (a manager or co-worker of the office).")
    supporter_eligibility = serializers.ChoiceField(
        choices=[c for c in Eligibility.choices if c[0] in ELIGIBILITY_FOR_ROLE[PairRole.SUPPORTER]],
        required=False, allow_blank=True)
    accommodation_request = serializers.CharField(required=False, allow_blank=True,
                                                  max_length=ACCOMMODATION_MAX_CHARS)
    accommodation_consent = serializers.BooleanField(
        required=False, default=False,
        help_text="Consent to share the accommodation request with the training body's staff; "
                  "a request is stored only with it (or an active consent given before).",
    )


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=Application.State.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class AttendanceInput(serializers.Serializer):
    day = serializers.IntegerField()
    present = serializers.DictField(child=serializers.BooleanField(), allow_empty=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    override = serializers.BooleanField(required=False, default=False)
    # For renewal by exception: one of RenewalOverrideReason (the reason in words goes in `reason`).
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=20)


class CompletionSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    person_name = serializers.CharField(source="person.display_name", read_only=True)

    class Meta:
        model = Completion
        fields = ["id", "body", "course", "course_title", "cohort", "person", "person_name", "number", "completed_on", "hours"]


class CertificationSerializer(serializers.ModelSerializer):
    credential_type_name = serializers.CharField(source="credential_type.name", read_only=True)
    holder_name = serializers.CharField(source="holder.display_name", read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "body", "credential_type", "credential_type_name", "holder", "holder_name", "number",
                  "issued_on", "cycle", "cycle_started_on", "valid_until", "status", "status_reason",
                  "recertification_of"]


class CourseList(KakehashiAPIView):
    serializer_class = CourseSerializer
    resource_models = (Course, CurriculumModule)  # each course with its modules

    @list_endpoint(CourseSerializer)
    def get(self, request):
        items, next_url = self.page(course_list_for(request.user), ["id"])
        return Response({"results": CourseSerializer(items, many=True).data, "next": next_url})


class CohortList(KakehashiAPIView):
    serializer_class = CohortSerializer
    resource_models = (Cohort, CohortDay)  # each cohort with its days

    @list_endpoint(CohortSerializer)
    def get(self, request):
        items, next_url = self.page(cohort_list_for(request.user), ["-year", "id"])
        return Response({"results": CohortSerializer(items, many=True).data, "next": next_url})


class OpenCohortList(KakehashiAPIView):
    permission_classes = [AllowAny]
    serializer_class = CohortSerializer

    @list_endpoint(CohortSerializer)
    def get(self, request):
        items, next_url = self.page(cohort_list_open(), ["applications_close", "id"])
        return Response({"results": CohortSerializer(items, many=True).data, "next": next_url})


class ApplicationList(KakehashiAPIView):
    serializer_class = ApplicationSerializer

    @list_endpoint(ApplicationSerializer, parameters=[OpenApiParameter(
        "mine", bool, required=False,
        description="Only your own applications (staff otherwise see their cohorts' applications).")])
    def get(self, request):
        staff = application_list_for(request.user)
        mine = request.query_params.get("mine") or not staff.exists()
        items, next_url = self.page(application_list_of(request.user) if mine else staff, ["id"])
        shown = accommodation_requests_read(viewer=request.user, applications=items, context="API")
        data = ApplicationSerializer(items, many=True, context={"user": request.user, "accommodations": shown}).data
        return Response({"results": data, "next": next_url})

    @extend_schema(request=ApplicationInput, responses={201: ApplicationSerializer})
    def post(self, request):
        data = validated(ApplicationInput, request.data)
        values = data
        cohort = cohort_list_open().filter(pk=values["cohort"]).first()
        if cohort is None:
            raise ValidationError({"cohort": _("This cohort is not taking applications.")})
        from peers.models import Organisation

        organisation = None
        if values.get("organisation"):
            organisation = Organisation.objects.filter(pk=values["organisation"]).first()
        if values.get("organisation") and organisation is None:
            raise ValidationError({"organisation": _("There is no such office.")})
        common = {
            "cohort": cohort, "consent": values["consent"], "organisation": organisation,
            "accommodation_request": values.get("accommodation_request", ""),
            "accommodation_consent": values.get("accommodation_consent", False),
        }
        if cohort.pair_applications:
            result = application_pair_submit(
                submitted_by=request.user,
                peer_email=values.get("peer_email", ""), peer_eligibility=values.get("peer_eligibility", ""),
                supporter_email=values.get("supporter_email", ""),
                supporter_eligibility=values.get("supporter_eligibility", ""), **common,
            )
            # The sender's own application of the two (the peer's when a manager sent both).
            application = next((a for a in result if a.applicant_id == request.user.pk), result[0])
        else:
            application = application_submit(applicant=request.user, **common)
        return Response(ApplicationSerializer(application, context={"user": request.user}).data,
                        status=status.HTTP_201_CREATED)


class ApplicationTransition(KakehashiAPIView):
    @extend_schema(request=TransitionInput, responses=ApplicationSerializer)
    def post(self, request, pk):
        application = application_get_for(request.user, pk)
        data = validated(TransitionInput, request.data)
        application = application_transition(
            application=application, to_state=data["to"],
            actor=request.user, note=data.get("note", ""),
        )
        return Response(ApplicationSerializer(application, context={"user": request.user}).data)


class AttendanceView(KakehashiAPIView):
    resource_models = (Attendance, CohortDay)  # for the API coverage test
    @extend_schema(request=AttendanceInput,
                   responses=inline_serializer("AttendanceRecorded", {"recorded": serializers.IntegerField()}))
    def post(self, request):
        data = validated(AttendanceInput, request.data)
        cohorts = cohort_list_for(request.user)
        day = CohortDay.objects.filter(pk=data["day"], cohort__in=cohorts.values("pk")).first()
        if day is None:
            raise Http404
        try:
            present = {int(k): v for k, v in data["present"].items()}
        except ValueError:
            raise ValidationError({"present": _("Use application ids as keys.")}) from None
        count = attendance_record(day=day, present=present, actor=request.user)
        return Response({"recorded": count})


class CompletionList(KakehashiAPIView):
    serializer_class = CompletionSerializer

    @list_endpoint(CompletionSerializer)
    def get(self, request):
        staff = completion_list_for(request.user)
        qs = (staff if staff.exists() else completion_list_of(request.user)).select_related("person")
        items, next_url = self.page(qs, ["-completed_on", "-id"])
        return Response({"results": CompletionSerializer(items, many=True).data, "next": next_url})


class CertificationList(KakehashiAPIView):
    serializer_class = CertificationSerializer

    @list_endpoint(CertificationSerializer)
    def get(self, request):
        items, next_url = self.page(certification_list_for(request.user), ["id"])
        return Response({"results": CertificationSerializer(items, many=True).data, "next": next_url})


CERTIFICATION_ACTIONS = {
    "renew": certification_renew,
    "recertify": certification_recertify,
    "suspend": certification_suspend,
    "reinstate": certification_reinstate,
    "revoke": certification_revoke,
}


class CertificationAction(KakehashiAPIView):
    @extend_schema(request=ReasonInput, responses=CertificationSerializer)
    def post(self, request, pk, action):
        if action not in CERTIFICATION_ACTIONS:
            raise Http404
        certification = certification_get_for_staff(request.user, pk)
        data = validated(ReasonInput, request.data)
        kwargs = {"certification": certification, "actor": request.user}
        if action == "renew":
            kwargs["override"] = data["override"]
            kwargs["override_reason"] = data.get("override_reason", "")
            kwargs["reason"] = data.get("reason", "")
        elif action == "recertify":
            pass
        else:
            kwargs["reason"] = data.get("reason", "")
        result = CERTIFICATION_ACTIONS[action](**kwargs)
        return Response(CertificationSerializer(result).data)


class Verify(KakehashiAPIView):
    """Public: the same answer as the verification page (certificate and completion numbers,
    as typed), with the same limit."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={429: OpenApiResponse(description="Too many checks from one address (see Retry-After)."),
                              200: inline_serializer("Verification", {
        "number": serializers.CharField(), "kind": serializers.ChoiceField(["certification", "completion"]),
        "status": serializers.CharField(), "status_label": serializers.DictField(),
        "status_since": serializers.DateField(), "valid": serializers.BooleanField(),
        "credential_type": serializers.CharField(required=False), "issued_on": serializers.DateField(required=False),
        "valid_from": serializers.DateField(required=False),
        "valid_until": serializers.DateField(allow_null=True, required=False),
        "course": serializers.CharField(required=False), "completed_on": serializers.DateField(required=False),
        "hours": serializers.CharField(required=False),
        "issuing_body": serializers.CharField(), "holder_name": serializers.CharField(allow_null=True),
        "recertification_of": serializers.CharField(allow_null=True, required=False),
        "replaced_by": serializers.CharField(allow_null=True, required=False),
    })})
    def get(self, request, number):
        limit = getattr(settings, "KAKEHASHI_VERIFY_LIMIT", 30)
        period = getattr(settings, "KAKEHASHI_VERIFY_PERIOD", 600)
        if not allow(request, scope="verify", limit=limit, period=period):
            raise Throttled(wait=period)
        verification = verification_get(number)
        if verification is None:
            raise Http404(_("No certificate has this number."))
        common = {
            "number": verification.number,
            "kind": verification.kind,
            "valid": verification.valid_now,
            "status_since": verification.status_since,
            "issuing_body": str(verification.body),
            "holder_name": verification.holder_name,
        }
        if verification.kind == "completion":
            completion = verification.completion
            return Response({
                **common, "status": "completed", "status_label": both_languages(verification.verdict),
                "course": completion.course.title, "completed_on": completion.completed_on,
                "hours": f"{completion.hours.normalize():f}",
            })
        certification = verification.certification
        return Response({
            **common,
            "status": verification.status,
            "status_label": both_languages(verification.verdict),
            "credential_type": certification.credential_type.name,
            "issued_on": certification.issued_on,
            "valid_from": certification.cycle_started_on,
            "valid_until": certification.valid_until,
            # After a lapse the holder may be certified again: the old number points to the current one.
            "replaced_by": verification.replaced_by.number if verification.replaced_by else None,
            "recertification_of": (certification.recertification_of.number
                                   if certification.recertification_of else None),
        })


# --- The staffing check (training.staffing) -------------------------------------------------

_BILINGUAL = inline_serializer("BilingualText", {"ja": serializers.CharField(), "en": serializers.CharField()})


class StaffingCheckView(KakehashiAPIView):
    """The welfare-fee staffing check of an office for a month, as on its staffing page.

    The office's managers (and administrators) get each person's line. Coordinators of the
    office's prefecture or of one of its regions get the same answer with `people` always an
    empty list (they see whether the office meets the rule, not who works there). Anyone else,
    training-body staff included, gets a 404."""

    @extend_schema(
        parameters=[OpenApiParameter("month", str, OpenApiParameter.QUERY, required=False,
                                     description="YYYY-MM; the current month when left out.")],
        responses=inline_serializer("StaffingCheck", {
            "organisation": serializers.IntegerField(),
            "month": serializers.CharField(),
            "additions": inline_serializer("StaffingAddition", {
                "code": serializers.ChoiceField(["peer_support_system", "peer_support_delivery"]),
                "rule_version": serializers.CharField(allow_null=True, help_text="Label of the version in force, e.g. FY2024."),
                "eligible": serializers.BooleanField(), "meets": serializers.BooleanField(),
                "units": serializers.IntegerField(),
                "missing": _BILINGUAL.__class__(many=True),
                "people": inline_serializer("StaffingPerson", {
                    "person": serializers.IntegerField(),
                    "role": serializers.ChoiceField(["peer", "partner"]),
                    "counts": serializers.BooleanField(),
                    "fte": serializers.CharField(),
                    "reasons": _BILINGUAL.__class__(many=True),
                }, many=True, help_text="Empty for coordinators."),
            }, many=True),
        }),
    )
    def get(self, request, pk):
        from ..staffing import parse_month, staffing_check
        from ..staffing.selectors import staffing_organisation_for

        organisation, sees_people = staffing_organisation_for(request.user, pk)
        raw = request.query_params.get("month")
        if raw is None:
            from django.utils import timezone

            month = timezone.localdate().replace(day=1)
        else:
            month = parse_month(raw)
            if month is None:
                raise BadParameter("month", ValidationError(_("Give the month as year and month, like 2026-05.")))
        check = staffing_check(organisation=organisation, month=month)
        return Response(check.as_json(people=sees_people))
