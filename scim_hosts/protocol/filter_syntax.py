"""Parsing SCIM filter expressions with scim2-filter-parser, made tolerant of real traffic.

scim2-filter-parser's lexer only knows ``"..."`` strings without escapes and single-digit
numbers. Entra also sends unquoted values (``id eq 54D382A4-... and manager eq 2819c223-...``),
and JSON strings may carry escapes. So before lexing, every comparison value (quoted or bare)
is swapped for a numbered placeholder string and kept aside, decoded; the AST then refers
to values through ``comp_value()``. Bare ``true``/``false``/``null`` stay literals.
"""

import json

from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

COMPARISON_OPS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
PLACEHOLDER = "\u00a7v"  # never produced by the lexer itself: every string is swapped out
MAX_FILTER_LENGTH = 4000
# Parentheses and brackets nested deeper than this are refused: the parser and the
# transpiler recurse once per level, and no real filter nests more than a few.
MAX_FILTER_DEPTH = 20
# Likewise each "and"/"or" adds a level to the expression tree. Entra sends one at most.
MAX_FILTER_LOGICAL_OPS = 100


class FilterSyntaxError(ValueError):
    pass


def _read_string(text, start):
    """The end index (exclusive) of the JSON string literal starting at ``start``."""
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        i += 1
    raise FilterSyntaxError("Unterminated string in filter.")


def _decode_string(literal):
    try:
        value = json.loads(literal)
    except ValueError:
        # A backslash that is not a JSON escape: keep the characters as they are.
        return literal[1:-1]
    if "\x00" in value:
        raise FilterSyntaxError("The filter contains a NUL character.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):  # "\ud800": no UTF-8 exists for it
        raise FilterSyntaxError("The filter contains an unpaired UTF-16 surrogate.")
    return value


def prepare(text):
    """(text the lexer can read, list of comparison values)."""
    if not isinstance(text, str) or not text.strip():
        raise FilterSyntaxError("The filter is empty.")
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError("The filter is too long.")
    if "\x00" in text:
        raise FilterSyntaxError("The filter contains a NUL character.")
    out, values = [], []
    after_operator = False  # the word before was a comparison operator: this one is a value
    i, n = 0, len(text)
    depth = logical_ops = 0

    def placeholder(value):
        values.append(value)
        return f'"{PLACEHOLDER}{len(values) - 1}"'

    while i < n:
        ch = text[i]
        if ch == '"':
            end = _read_string(text, i)
            out.append(placeholder(_decode_string(text[i:end])))
            i, after_operator = end, False
        elif ch.isspace():
            out.append(" ")
            i += 1
        elif ch in "()[]":
            depth += 1 if ch in "([" else -1
            if depth > MAX_FILTER_DEPTH:
                raise FilterSyntaxError("The filter is nested too deeply.")
            out.append(ch)
            i, after_operator = i + 1, False
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()[]"':
                j += 1
            word = text[i:j]
            if after_operator:
                lowered = word.lower()
                out.append(lowered if lowered in ("true", "false", "null") else placeholder(word))
                after_operator = False
            else:
                if word.lower() in ("and", "or"):
                    logical_ops += 1
                    if logical_ops > MAX_FILTER_LOGICAL_OPS:
                        raise FilterSyntaxError(
                            f"The filter has more than {MAX_FILTER_LOGICAL_OPS} and/or operators."
                        )
                out.append(word)
                after_operator = word.lower() in COMPARISON_OPS
            i = j
    return "".join(out), values


def parse(text):
    """(AST, values) for a SCIM filter; FilterSyntaxError when it is not one."""
    prepared, values = prepare(text)
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(prepared))
    except (SCIMParserError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise FilterSyntaxError(f"Invalid filter: {text!r}.") from exc
    # Never None: prepare() refuses a blank filter, and SCIMLexer and SCIMParser raise on
    # anything they cannot read.
    return tree, values


def comp_value(node, values):
    """The Python value of an AttrExpr's comparison value (a CompValue; None for ``pr``).

    Its text is always a string: prepare() gave every value but true, false and null a
    placeholder, quoted, so the parser's own number token never occurs.
    """
    if node is None:
        return None
    raw = node.value
    if raw == "true":
        return True
    if raw == "false":
        return False
    if raw == "null":
        return None
    if raw.startswith(PLACEHOLDER):
        try:
            return values[int(raw[len(PLACEHOLDER) :])]
        except (ValueError, IndexError):
            pass
    return raw


BOOL_STRINGS = {"true": True, "false": False}


def parse_bool(value):
    """True/False for booleans and "True"/"false"/... strings; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return BOOL_STRINGS.get(value.strip().lower())
    return None
