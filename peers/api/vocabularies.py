"""The managed vocabularies (/api/v1/vocabularies/…): organisation kinds, professional roles,
activities and designated welfare services. Everyone signed in reads them; only who may change
them on the vocabulary pages in the editor (peers.wagtail_hooks) adds or changes terms."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import Activity, OrganisationKind, ProfessionalRole, WelfareService
from ..request_params import read_text
from ..services.workforce import vocabulary_term_save
from .base import KakehashiAPIView, page_schema, validated

VOCABULARIES = {
    "organisation-kinds": OrganisationKind,
    "professional-roles": ProfessionalRole,
    "activities": Activity,
    "welfare-services": WelfareService,
}


class VocabularyTermSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.SlugField(max_length=60)
    name_ja = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=150)
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, default=100)
    is_active = serializers.BooleanField(default=True)


class VocabularyTermChangeSerializer(VocabularyTermSerializer):
    code = serializers.SlugField(max_length=60, help_text="The term to change (codes never change).")
    name_ja = serializers.CharField(max_length=100, required=False)
    name_en = serializers.CharField(max_length=150, required=False)
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    is_active = serializers.BooleanField(required=False)


class VocabularyAPI(KakehashiAPIView):
    """One vocabulary: GET lists its terms (`active=1`: only those in use), POST adds a term,
    PATCH changes the term named by `code` (retire it with `is_active: false`)."""

    vocabulary = ""  # a key of VOCABULARIES, set per address
    serializer_class = VocabularyTermSerializer
    resource_models = tuple(VOCABULARIES.values())

    @property
    def model(self):
        return VOCABULARIES[self.vocabulary]

    @extend_schema(parameters=[OpenApiParameter("active", str), OpenApiParameter("cursor", str),
                               OpenApiParameter("page_size", int)],
                   responses=page_schema(VocabularyTermSerializer))
    def get(self, request):
        qs = self.model.objects.all()
        if read_text(request.query_params, "active", max_length=5) in ("1", "true"):
            qs = qs.filter(is_active=True)
        items, next_url = self.page(qs, ["sort_order", "code"])
        return Response({"results": VocabularyTermSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=VocabularyTermSerializer, responses={201: VocabularyTermSerializer})
    def post(self, request):
        data = validated(VocabularyTermSerializer, request.data)
        term = vocabulary_term_save(actor=request.user, model=self.model, **data)
        return Response(VocabularyTermSerializer(term).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VocabularyTermChangeSerializer, responses=VocabularyTermSerializer)
    def patch(self, request):
        data = dict(validated(VocabularyTermChangeSerializer, request.data))
        term = self.model.objects.filter(code=data.pop("code")).first()
        if term is None:
            raise Http404
        term = vocabulary_term_save(actor=request.user, model=self.model, term=term, **data)
        return Response(VocabularyTermSerializer(term).data)
