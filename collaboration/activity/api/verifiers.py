"""An organisation's named supervisors (/api/v1/activity/organisations/<id>/supervisors/): who may
verify its entries. Everyone who sees the organisation's activity page lists them, as there;
its manager names (POST) and removes (DELETE …/<verifier_id>/) them, through the same services as
the page's forms (collaboration.activity.views.verifier_add, verifier_remove)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated
from peers.selectors import user_get_by_email

from .. import selectors, services
from ..models import ActivityVerifier

NO_ONE = _("No one on the platform has this address.")


class ActivityVerifierSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.display_name")
    organisation = serializers.IntegerField(source="organisation_id")

    class Meta:
        model = ActivityVerifier
        fields = ["id", "user", "display_name", "organisation", "named_at"]


class ActivityVerifierInSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The email address of the supervisor's account.")


def _organisation(request, pk: int):
    organisation = selectors.activity_organisation_get_for(request.user, pk)
    if organisation is None:
        raise Http404
    return organisation


class ActivityVerifierListAPI(KakehashiAPIView):
    """The supervisors named now; POST names one by email (the organisation's manager only;
    naming someone already named changes nothing)."""

    serializer_class = ActivityVerifierSerializer

    @list_endpoint(ActivityVerifierSerializer, operation_id="activity_supervisors_list")
    def get(self, request, pk: int):
        organisation = _organisation(request, pk)
        qs = selectors.verifier_list_for_organisation(organisation).order_by()
        items, next_url = self.page(qs, ["id"])
        return Response({"results": ActivityVerifierSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=ActivityVerifierInSerializer, responses={201: ActivityVerifierSerializer})
    def post(self, request, pk: int):
        organisation = _organisation(request, pk)
        data = validated(ActivityVerifierInSerializer, request.data)
        person = user_get_by_email(data["email"].strip())
        if person is None or not person.is_active:
            raise ValidationError({"email": ValidationError(NO_ONE, code="no_account")})
        row = services.activity_verifier_name(actor=request.user, organisation=organisation, user=person)
        return Response(ActivityVerifierSerializer(row).data, status=status.HTTP_201_CREATED)


class ActivityVerifierDetailAPI(KakehashiAPIView):
    """DELETE removes the named supervisor: from now on they cannot verify the organisation's
    entries (what they verified stays verified). The organisation's manager only."""

    serializer_class = ActivityVerifierSerializer

    def _verifier(self, request, pk: int, verifier_pk: int):
        organisation = _organisation(request, pk)
        if not selectors.can_manage_verifiers(request.user, organisation):
            raise Http404
        verifier = selectors.verifier_list_for_organisation(organisation).filter(pk=verifier_pk).first()
        if verifier is None:
            raise Http404
        return verifier

    def get(self, request, pk: int, verifier_pk: int):
        return Response(ActivityVerifierSerializer(self._verifier(request, pk, verifier_pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, verifier_pk: int):
        services.activity_verifier_remove(actor=request.user, verifier=self._verifier(request, pk, verifier_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
