"""The JSON API's JSON parser: DRF's, with deeply nested input refused as a 400.

DRF's JSONParser turns ValueError into a ParseError but lets RecursionError (raised by the
json module for input like ``[[[[…]]]]`` thousands deep) escape as a 500.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the request is nested too deeply.") from None
