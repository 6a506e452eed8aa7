"""The API's JSON parser: DRF's, except that a body nested too deeply for Python's parser (a
RecursionError, which DRF lets through as a 500) is a 400 like any other body that is not JSON,
and every such refusal is said in Japanese and English."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class BodyNotJSON(ParseError):
    http_status = 400
    code = "parse_error"
    lazy_message = _("The body of the request is not valid JSON (or is nested too deeply).")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError) as error:
            raise BodyNotJSON() from error
