"""The answer for addresses under /api/v1/ that no endpoint has."""

from __future__ import annotations

from django.http import Http404
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class NoSuchAddress(APIView):
    """Every address under /api/v1/ that no endpoint has (a negative or malformed id in a path,
    a mistyped name): 404 as problem details like every other error, never Django's HTML page.
    Nothing about the caller is checked, so it says nothing about what exists."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    schema = None  # not an endpoint of the document

    def initial(self, request, *args, **kwargs):
        raise Http404  # whatever the method: DRF's dispatch answers it through the one handler
