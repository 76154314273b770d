"""The API's JSON parser, refusing what the standard one crashes on: JSON nested so deep that Python's
parser recurses out of its stack (a RecursionError, a 500, even on the anonymous token endpoint) is bad
input, answered in the error shape (issue 11)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
