"""Invitations (/api/v1/invitations/) and the roles they give (/api/v1/me/roles/).

The same selectors and services as the staff invitation pages (peers.views.invitation_list,
invitation_new) and the way in (invitation_accept_view): who may invite, to which role and into
which organisation is decided by `invitable_roles_for` and `invitation_create`; an invitation's
token (the secret in its email) is never shown.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import Invitation, Organisation, Prefecture, Region, Role, RoleAssignment
from ..request_params import CodeRelatedField
from ..selectors.accounts import (
    invitable_roles_for,
    invitation_get_usable,
    invitation_list_for,
    role_assignment_list_for,
)
from ..services.accounts import invitation_accept, invitation_create
from .base import KakehashiAPIView, list_endpoint, validated

CANNOT_INVITE = _("You cannot invite people.")
INVITATION_UNUSABLE = _("This invitation has already been used or has expired.")


class RoleInvitationSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    prefecture = serializers.CharField(source="prefecture_id", allow_null=True)
    region = serializers.IntegerField(source="region_id", allow_null=True)
    invited_by = serializers.IntegerField(source="invited_by_id", allow_null=True)
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "role_label", "organisation", "prefecture", "region",
                  "invited_by", "created_at", "expires_at", "accepted_at", "is_usable"]


class RoleInvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True,
        help_text="For organisation roles, peers and professionals: one you manage.")
    prefecture = CodeRelatedField(slug_field="code", queryset=Prefecture.objects.all(), required=False,
                                  allow_null=True, help_text="For a coordinator: a prefecture or a region.")
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)


class InvitationListAPI(KakehashiAPIView):
    """Invitations you may see (all for an administrator, else those of the organisations you
    manage and those you sent), newest first; POST invites someone by email, as on
    /staff/invitations/new/."""

    serializer_class = RoleInvitationSerializer

    def _may_invite(self, request):
        if not invitable_roles_for(request.user):
            raise PermissionDenied(CANNOT_INVITE)

    @list_endpoint(RoleInvitationSerializer, operation_id="invitations_list")
    def get(self, request):
        self._may_invite(request)
        items, next_url = self.page(invitation_list_for(request.user), ["-created_at", "-id"])
        return Response({"results": RoleInvitationSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=RoleInvitationCreateSerializer, responses={201: RoleInvitationSerializer})
    def post(self, request):
        self._may_invite(request)
        data = validated(RoleInvitationCreateSerializer, request.data)
        invitation = invitation_create(invited_by=request.user, **data)
        return Response(RoleInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    prefecture = serializers.CharField(source="prefecture_id", allow_null=True)
    region = serializers.IntegerField(source="region_id", allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "role_label", "organisation", "prefecture", "region", "granted_at"]


class InvitationAcceptSerializer(serializers.Serializer):
    invitation = serializers.CharField(max_length=64, help_text="The token at the end of the invitation's address.")


class MyRoleListAPI(KakehashiAPIView):
    """Your roles, as on your account page (staff roles count once two-step sign-in is passed);
    POST accepts an invitation sent to your email address, as its address does."""

    own_record_only = True  # the caller's own roles; accepting gives a role to the caller only
    serializer_class = RoleAssignmentSerializer

    @list_endpoint(RoleAssignmentSerializer, operation_id="me_roles_list")
    def get(self, request):
        ids = [a.pk for a in role_assignment_list_for(request.user)]
        qs = RoleAssignment.objects.filter(pk__in=ids)
        items, next_url = self.page(qs, ["role", "id"])
        return Response({"results": RoleAssignmentSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=InvitationAcceptSerializer, responses={201: RoleAssignmentSerializer})
    def post(self, request):
        data = validated(InvitationAcceptSerializer, request.data)
        invitation = invitation_get_usable(data["invitation"])
        if invitation is None:
            raise ValidationError({"invitation": ValidationError(INVITATION_UNUSABLE, code="unusable")})
        assignment = invitation_accept(invitation=invitation, user=request.user)
        return Response(RoleAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)
