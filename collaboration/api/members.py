"""A consultation body's members (/api/v1/bodies/<id>/members/): the body's coordinators (and
administrators) list and add them by sector, as on the staff body page
(collaboration.views.bodies.body_members), through the same selector and service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated
from peers.selectors import user_get_by_email

from .. import services
from ..models import BodyMember, Sector
from ..selectors import body_list_coordinated_by

NO_ACCOUNT = _("No account has this email address. Invite the person first.")


class BodyMemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.display_name")
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)

    class Meta:
        model = BodyMember
        fields = ["id", "user", "display_name", "sector", "sector_label", "affiliation", "is_coordinator",
                  "joined_at"]


class BodyMemberInSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The email address of the member's account.")
    sector = serializers.ChoiceField(choices=Sector.choices)
    affiliation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_coordinator = serializers.BooleanField(required=False, default=False)


def _body(request, pk: int):
    body = body_list_coordinated_by(request.user).filter(pk=pk).first()
    if body is None:
        raise Http404
    return body


class BodyMemberListAPI(KakehashiAPIView):
    """The body's members, in the order they joined (keyset pages by id; the sector is on each
    row); POST adds a member (or changes the sector, affiliation and
    coordinator mark of one already there). The person must already have an account."""

    serializer_class = BodyMemberSerializer

    @list_endpoint(BodyMemberSerializer, operation_id="body_members_list")
    def get(self, request, pk: int):
        body = _body(request, pk)
        qs = BodyMember.objects.filter(body=body).select_related("user")
        items, next_url = self.page(qs, ["id"])
        return Response({"results": BodyMemberSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=BodyMemberInSerializer, responses={201: BodyMemberSerializer})
    def post(self, request, pk: int):
        body = _body(request, pk)
        data = dict(validated(BodyMemberInSerializer, request.data))
        member = user_get_by_email(data.pop("email").strip())
        if member is None or not member.is_active:
            raise ValidationError({"email": ValidationError(NO_ACCOUNT, code="no_account")})
        row = services.body_member_add(user=request.user, body=body, member=member, **data)
        return Response(BodyMemberSerializer(row).data, status=status.HTTP_201_CREATED)
