"""The site's search in the API: the same results, and the same access, as /search/."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint
from peers.request_params import REQUIRED, read_choice, read_text

from ..search import MAX_QUERY_LENGTH, ORDERING, parse_query, result_url, results, search_for


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The search entry (stable while the record is unchanged).")
    kind = serializers.CharField(help_text="page, minutes, agenda, material, message, activity, person, "
                                           "organisation or course.")
    kind_label = serializers.CharField()
    title = serializers.CharField()
    where = serializers.CharField(help_text="The meeting, body or organisation the record belongs to.")
    excerpt_html = serializers.CharField(help_text="An excerpt, HTML-escaped, the matching words in <mark>; "
                                                   "empty for a message under a content note.")
    url = serializers.CharField(help_text="The page that shows the record.")
    updated_at = serializers.DateTimeField()


Q_PARAMETER = OpenApiParameter(
    "q", str, OpenApiParameter.QUERY, required=True,
    description=f"The words to look for (1 to {MAX_QUERY_LENGTH} characters); every word must match, "
                "Japanese by its morphemes (lemma, surface, reading), English by word and stem.",
)

LANGUAGE_PARAMETER = OpenApiParameter(
    "language", str, OpenApiParameter.QUERY, required=False, enum=["ja", "en"],
    description="Which language's website pages to search (the request's language when left out); "
                "records of meetings and people are searched in every language.",
)


class Search(KakehashiAPIView):
    serializer_class = SearchResultSerializer  # for the OpenAPI document

    @list_endpoint(SearchResultSerializer, parameters=[Q_PARAMETER, LANGUAGE_PARAMETER], operation_id="search")
    def get(self, request):
        text = read_text(request.query_params, "q", max_length=MAX_QUERY_LENGTH, default=REQUIRED)
        query = parse_query(text)
        language = read_choice(request.query_params, "language", ["ja", "en"],
                               default=(translation.get_language() or "ja")[:2])
        if query is None:
            return Response({"results": [], "next": None})
        items, next_url = self.page(search_for(request.user, query, language=language), ORDERING)
        rows = [
            {"id": entry.pk, "kind": shown.kind, "kind_label": shown.kind_label,
             "title": entry.title_en if language == "en" and entry.title_en else entry.title,
             "where": shown.where, "excerpt_html": str(shown.excerpt), "url": result_url(entry),
             "updated_at": entry.updated_at}
            for entry, shown in zip(items, results(items, query, language=language), strict=True)
        ]
        return Response({"results": SearchResultSerializer(rows, many=True).data, "next": next_url})
