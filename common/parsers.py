"""The API's JSON parser: DRF's, with a nesting limit (a 400, never a RecursionError 500)."""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .jsonbounds import TooDeep, loads_bounded


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            return loads_bounded(raw, max_depth=settings.JSON_MAX_DEPTH)
        except TooDeep as exc:
            raise ParseError(str(exc), code="too_deep") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error: {exc}", code="parse_error") from None
