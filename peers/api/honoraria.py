"""Honorarium payments (第二群 謝金) in the API, with the same access and services as the pages
(peers.views.honoraria):

- /api/v1/honoraria/                 GET the payments you may see (yours, and those you handle);
                                     POST records one (the organisation's manager)
- /api/v1/honoraria/<id>/            GET one; PATCH corrects it (who handles it)
- /api/v1/honoraria/<id>/confirm/    POST confirms it
- /api/v1/honoraria/<id>/paid/       POST records the day it was paid
- /api/v1/honoraria/<id>/cancel/     POST cancels it, with the reason
- /api/v1/me/honoraria/              GET your own payments
- /api/v1/me/honoraria/totals/       GET your totals per organisation and fiscal year
- /api/v1/me/honoraria/statement/    GET your statement of a calendar year (?year=), as JSON

Amounts are whole yen: a JSON number, or text as people type it (１２００, 1,200円), read by
the same field as the forms (peers.payment_forms.YenField)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from ..dates import fiscal_year_of
from ..models import Engagement, HonorariumPayment, Organisation
from ..payment_forms import YenField
from ..request_params import no_control_characters, read_choice, read_id, read_int
from ..selectors.payments import (
    honorarium_payment_get_for,
    honorarium_payment_list_for,
    honorarium_payment_list_own,
    honorarium_statement,
    honorarium_totals,
    honorarium_totals_own,
    in_fiscal_year,
    user_handles_payment,
)
from ..selectors.workforce import engagement_get_for
from ..services import payments as services
from .base import KakehashiAPIView, list_endpoint, validated


@extend_schema_field(OpenApiTypes.INT)
class YenInput(serializers.Field):
    """Whole yen, read as the pages read it."""

    def __init__(self, *, min_value: int = 1, **kwargs):
        self.yen = YenField(min_value=min_value, required=False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(str(self.yen.error_messages["invalid"]), code="invalid")
        try:
            value = self.yen.clean(data)
        except ValidationError as error:
            code = getattr(error, "code", None) or error.error_list[0].code
            raise serializers.ValidationError(error.messages, code=code) from None
        if value is None:
            raise serializers.ValidationError(str(self.yen.error_messages["invalid"]), code="invalid")
        return value

    def to_representation(self, value):
        return value


def _text(max_length: int, **kwargs):
    return serializers.CharField(max_length=max_length, validators=[no_control_characters], **kwargs)


class HonorariumPaymentSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.display_name")
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    engagement = serializers.IntegerField(source="engagement_id", allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    fiscal_year = serializers.SerializerMethodField()

    class Meta:
        model = HonorariumPayment
        fields = ["id", "person", "person_name", "organisation", "organisation_name", "engagement",
                  "occasion_date", "fiscal_year", "category", "description", "amount", "withholding_tax", "status",
                  "status_label", "paid_on", "source", "confirmed_at", "cancelled_at", "cancel_reason", "created_at"]

    def get_fiscal_year(self, obj) -> int:
        return fiscal_year_of(obj.occasion_date)


class RecordSerializer(serializers.Serializer):
    engagement = serializers.IntegerField(min_value=1, help_text="The honorarium engagement the payment is for.")
    occasion_date = serializers.DateField()
    description = _text(200, help_text="What for (細目).")
    category = _text(40, required=False, allow_blank=True, default="", help_text="Kind of payment (区分).")
    amount = YenInput(required=False, help_text="Whole yen; the engagement's honorarium when left out.")
    withholding_tax = YenInput(min_value=0, required=False, allow_null=True)


class CorrectSerializer(serializers.Serializer):
    occasion_date = serializers.DateField(required=False)
    description = _text(200, required=False)
    category = _text(40, required=False, allow_blank=True)
    amount = YenInput(required=False)
    withholding_tax = YenInput(min_value=0, required=False, allow_null=True)
    paid_on = serializers.DateField(required=False, help_text="Only for a paid payment.")
    reason = _text(200, required=False, allow_blank=True, default="",
                   help_text="Needed once the payment is paid.")


class PaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    withholding_tax = YenInput(min_value=0, required=False, allow_null=True)


class CancelSerializer(serializers.Serializer):
    reason = _text(200)


class TotalsSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    person_id = serializers.IntegerField()
    person = serializers.CharField()
    organisation_id = serializers.IntegerField()
    organisation = serializers.CharField()
    count = serializers.IntegerField()
    to_confirm = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    paid = serializers.IntegerField()
    withholding_tax = serializers.IntegerField()
    total = serializers.IntegerField()


FIELDS = ["-occasion_date", "-id"]


def _data(request, payment) -> dict:
    return HonorariumPaymentSerializer(honorarium_payment_get_for(request.user, payment.pk)).data


class HonorariumListAPI(KakehashiAPIView):
    """The payments you may see, newest occasion first; filters: organisation, person, status,
    year (fiscal year, April to March, by the occasion's date)."""

    serializer_class = HonorariumPaymentSerializer

    @list_endpoint(HonorariumPaymentSerializer, operation_id="honoraria_list", parameters=[
        OpenApiParameter("organisation", int), OpenApiParameter("person", int),
        OpenApiParameter("status", str, enum=HonorariumPayment.Status.values), OpenApiParameter("year", int),
    ])
    def get(self, request):
        params = request.query_params
        qs = honorarium_payment_list_for(request.user)
        organisation = read_id(params, "organisation")
        person = read_id(params, "person")
        state = read_choice(params, "status", HonorariumPayment.Status.values)
        year = read_int(params, "year", min=2000, max=2100)
        if organisation:
            qs = qs.filter(organisation_id=organisation)
        if person:
            qs = qs.filter(person_id=person)
        if state:
            qs = qs.filter(status=state)
        if year:
            qs = in_fiscal_year(qs, year)
        items, next_url = self.page(qs, FIELDS)
        return Response({"results": HonorariumPaymentSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=RecordSerializer, responses={201: HonorariumPaymentSerializer})
    def post(self, request):
        data = dict(validated(RecordSerializer, request.data))
        engagement = engagement_get_for(request.user, data.pop("engagement"))
        if engagement.kind != Engagement.Kind.HONORARIUM:
            raise ValidationError({"engagement": _("Choose an honorarium engagement (第二群 謝金).")})
        payment = services.honorarium_payment_record(actor=request.user, engagement=engagement, **data)
        return Response(_data(request, payment), status=status.HTTP_201_CREATED)


class _PaymentAPI(KakehashiAPIView):
    serializer_class = HonorariumPaymentSerializer

    def payment(self, request, pk):
        payment = honorarium_payment_get_for(request.user, pk)
        if request.method != "GET" and not user_handles_payment(request.user, payment):
            raise PermissionDenied(_("Only the paying organisation's manager, or the coordinator of the "
                                              "meeting's body, can change this payment."))
        return payment


class HonorariumDetailAPI(_PaymentAPI):
    def get(self, request, pk: int):
        return Response(HonorariumPaymentSerializer(self.payment(request, pk)).data)

    @extend_schema(request=CorrectSerializer, responses=HonorariumPaymentSerializer)
    def patch(self, request, pk: int):
        payment = self.payment(request, pk)
        data = dict(validated(CorrectSerializer, request.data))
        reason = data.pop("reason", "")
        payment = services.honorarium_payment_correct(actor=request.user, payment=payment, reason=reason, **data)
        return Response(_data(request, payment))


class HonorariumConfirmAPI(_PaymentAPI):
    @extend_schema(request=None, responses=HonorariumPaymentSerializer)
    def post(self, request, pk: int):
        payment = services.honorarium_payment_confirm(actor=request.user, payment=self.payment(request, pk))
        return Response(_data(request, payment))


class HonorariumPaidAPI(_PaymentAPI):
    @extend_schema(request=PaidSerializer, responses=HonorariumPaymentSerializer)
    def post(self, request, pk: int):
        payment = self.payment(request, pk)
        data = dict(validated(PaidSerializer, request.data))
        payment = services.honorarium_payment_mark_paid(actor=request.user, payment=payment, **data)
        return Response(_data(request, payment))


class HonorariumCancelAPI(_PaymentAPI):
    @extend_schema(request=CancelSerializer, responses=HonorariumPaymentSerializer)
    def post(self, request, pk: int):
        payment = self.payment(request, pk)
        data = validated(CancelSerializer, request.data)
        payment = services.honorarium_payment_cancel(actor=request.user, payment=payment, reason=data["reason"])
        return Response(_data(request, payment))


class OrganisationHonorariumTotalsAPI(KakehashiAPIView):
    """The organisation's totals per person for a fiscal year (?year=, the current one when left
    out): its managers and administrators."""

    serializer_class = TotalsSerializer
    resource_models = (HonorariumPayment,)

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=TotalsSerializer(many=True))
    def get(self, request, pk: int):
        from django.http import Http404

        from ..selectors.payments import (
            honorarium_payment_list_handled_by,
            user_records_payments_for,
        )

        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None or not user_records_payments_for(request.user, organisation):
            raise Http404
        year = read_int(request.query_params, "year", min=2000, max=2100,
                        default=fiscal_year_of(timezone.localdate()))
        qs = in_fiscal_year(honorarium_payment_list_handled_by(request.user).filter(organisation=organisation), year)
        return Response(TotalsSerializer(honorarium_totals(qs), many=True).data)


class MyHonorariaAPI(KakehashiAPIView):
    """Your own payments, newest occasion first."""

    own_record_only = True
    serializer_class = HonorariumPaymentSerializer

    @list_endpoint(HonorariumPaymentSerializer, operation_id="me_honoraria_list")
    def get(self, request):
        items, next_url = self.page(honorarium_payment_list_own(request.user), FIELDS)
        return Response({"results": HonorariumPaymentSerializer(items, many=True).data, "next": next_url})


class MyHonorariumTotalsAPI(KakehashiAPIView):
    """Your totals per organisation and fiscal year (April to March, by the occasion's date):
    to confirm, confirmed, paid and tax withheld, in yen; newest year first."""

    own_record_only = True
    serializer_class = TotalsSerializer
    resource_models = (HonorariumPayment,)

    @extend_schema(responses=TotalsSerializer(many=True), operation_id="me_honoraria_totals")
    def get(self, request):
        return Response(TotalsSerializer(honorarium_totals_own(request.user), many=True).data)


class MyStatementAPI(KakehashiAPIView):
    """Your statement of a calendar year (?year=, this year when left out): what each
    organisation paid you, by the day paid, with the payment statement's (支払調書) fields the
    records hold. The PDF and CSV are on /me/honoraria/."""

    own_record_only = True
    serializer_class = HonorariumPaymentSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=inline_serializer("HonorariumStatement", fields={
        "year": serializers.IntegerField(), "amount": serializers.IntegerField(),
        "withholding_tax": serializers.IntegerField(allow_null=True), "payers": serializers.ListField()}))
    def get(self, request):
        year = read_int(request.query_params, "year", min=2000, max=2100, default=timezone.localdate().year)
        statement = honorarium_statement(request.user, year)
        return Response({
            "year": year, "amount": statement["amount"], "withholding_tax": statement["withholding_tax"],
            "payers": [{
                "organisation": payer["organisation"].pk, "name": payer["name"], "corporation": payer["corporation"],
                "address": payer["address"], "phone": payer["phone"], "amount": payer["amount"],
                "withholding_tax": payer["withholding_tax"],
                "payments": HonorariumPaymentSerializer(payer["payments"], many=True).data,
            } for payer in statement["payers"]],
        })
