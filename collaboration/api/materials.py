"""A meeting's materials (/api/v1/meetings/<id>/materials/): everyone who may see the meeting
lists them, as on the meeting page; its coordinators add, publish and remove them, as on the
staff meeting page. Files themselves download from the meeting page's addresses."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, page_schema, validated

from .. import services
from ..models import Material
from ..selectors import material_list_for, meeting_access_for
from ..services.meetings import material_remove


class MaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "title", "is_published", "uploaded_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("collaboration:material_download", kwargs={"pk": obj.meeting_id, "material_pk": obj.pk})


class MaterialInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    file = serializers.FileField()


class MaterialChangeSerializer(serializers.Serializer):
    is_published = serializers.BooleanField(help_text="true publishes it (a published material stays published).")


def _access(request, pk: int, *, coordinate: bool = False):
    access = meeting_access_for(request.user, pk)
    if access is None or (coordinate and not access.can_coordinate):
        raise Http404
    return access


class MaterialListAPI(KakehashiAPIView):
    serializer_class = MaterialSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(MaterialSerializer), operation_id="meeting_materials_list")
    def get(self, request, pk: int):
        items, next_url = self.page(material_list_for(_access(request, pk)), ["uploaded_at", "id"])
        return Response({"results": MaterialSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request={"multipart/form-data": MaterialInSerializer}, responses={201: MaterialSerializer})
    def post(self, request, pk: int):
        access = _access(request, pk, coordinate=True)
        data = validated(MaterialInSerializer, request.data)
        material = services.material_add(access=access, user=request.user, **data)
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDetailAPI(KakehashiAPIView):
    serializer_class = MaterialSerializer

    def _material(self, request, pk: int, material_pk: int, *, coordinate: bool = False):
        access = _access(request, pk, coordinate=coordinate)
        material = material_list_for(access).filter(pk=material_pk).first()
        if material is None:
            raise Http404
        return access, material

    def get(self, request, pk: int, material_pk: int):
        return Response(MaterialSerializer(self._material(request, pk, material_pk)[1]).data)

    @extend_schema(request=MaterialChangeSerializer, responses=MaterialSerializer)
    def patch(self, request, pk: int, material_pk: int):
        access, material = self._material(request, pk, material_pk, coordinate=True)
        if validated(MaterialChangeSerializer, request.data)["is_published"]:
            material = services.material_publish(access=access, user=request.user, material=material)
        return Response(MaterialSerializer(material).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, material_pk: int):
        access, material = self._material(request, pk, material_pk, coordinate=True)
        material_remove(access=access, user=request.user, material=material)
        return Response(status=status.HTTP_204_NO_CONTENT)
