"""A consultation body's honorarium for its peer members (/api/v1/bodies/<id>/honorarium/): its
coordinators read and set the rate per meeting and the organisation that pays it, as on the
staff body page, through the same service (collaboration.services.honoraria). The payments it
makes are in /api/v1/honoraria/."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, validated
from peers.api.honoraria import YenInput

from ..models import ConsultationBody
from ..selectors import body_list_coordinated_by
from ..services.honoraria import body_honorarium_set, honorarium_payer_choices


class BodyHonorariumSerializer(serializers.ModelSerializer):
    honorarium_payer_name = serializers.CharField(source="honorarium_payer.name", allow_null=True, default=None)

    class Meta:
        model = ConsultationBody
        fields = ["id", "name", "honorarium_per_meeting", "honorarium_payer", "honorarium_payer_name"]


class BodyHonorariumInSerializer(serializers.Serializer):
    amount = YenInput(allow_null=True, help_text="Yen per meeting for each peer member who attends; null for none.")
    payer = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                     help_text="The organisation that pays (in the body's prefecture).")


class BodyHonorariumAPI(KakehashiAPIView):
    """GET the body's honorarium; POST sets it (or clears it with amount null)."""

    serializer_class = BodyHonorariumSerializer

    def body(self, request, pk):
        body = body_list_coordinated_by(request.user).select_related("honorarium_payer").filter(pk=pk).first()
        if body is None:
            raise Http404
        return body

    def get(self, request, pk: int):
        return Response(BodyHonorariumSerializer(self.body(request, pk)).data)

    @extend_schema(request=BodyHonorariumInSerializer, responses=BodyHonorariumSerializer)
    def post(self, request, pk: int):
        body = self.body(request, pk)
        data = validated(BodyHonorariumInSerializer, request.data)
        payer = None
        if data.get("payer"):
            payer = honorarium_payer_choices(body).filter(pk=data["payer"]).first()
            if payer is None:
                from django.core.exceptions import ValidationError
                from django.utils.translation import gettext_lazy as _

                raise ValidationError({"payer": _("Choose an organisation in the body's prefecture.")})
        body = body_honorarium_set(user=request.user, body=body, amount=data.get("amount"), payer=payer)
        return Response(BodyHonorariumSerializer(self.body(request, body.pk)).data)
