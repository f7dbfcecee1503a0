"""String functions.

Strings are measured and indexed the .NET way, in UTF-16 code units: a character outside the
Basic Multilingual Plane counts as two (see :func:`utf16_view`). Case-insensitive searches
(``indexOf``, ``startsWith``...) fold case one code unit at a time with the invariant culture's
simple mapping, so positions in the folded text are positions in the original.
"""

from __future__ import annotations

import re

from .. import limits
from ..expressions.errors import ExpressionError, function_error
from ..expressions.registry import function
from ..expressions.values import to_string, type_name
from .args import single_param_error, want_int, want_str

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# .NET char.IsWhiteSpace (what String.Trim() strips); Python's isspace() also takes \x1c-\x1f.
DOTNET_WHITESPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                     "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


# --------------------------------------------------------------------------- shared helpers

def utf16_view(text: str) -> str:
    """``text`` with each astral character split into its two surrogates (one str item per UTF-16 unit)."""
    if text.isascii() or not _ASTRAL.search(text):
        return text
    return _ASTRAL.sub(lambda m: _surrogates(ord(m.group())), text)


def _surrogates(cp: int) -> str:
    cp -= 0x10000
    return chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF))


def from_utf16_view(text: str) -> str:
    """Undo :func:`utf16_view`: pair surrogates back up; a lone half (a cut pair) becomes U+FFFD.

    The host would keep the lone half in memory, but it turns into U+FFFD as soon as the text is
    written out as UTF-8, which is all anyone can observe.
    """
    if text.isascii():
        return text
    for ch in text:
        if "\ud800" <= ch <= "\udfff":
            return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


class _CaseMap(dict):
    """Per-character invariant-culture mapping, computed on first use (1:1, like .NET char casing)."""

    def __init__(self, upper: bool):
        super().__init__()
        self.upper = upper

    def __missing__(self, code: int):
        ch = chr(code)
        if ch in "\u0130\u0131":  # dotted capital I / dotless small i: invariant culture keeps them
            mapped = ch
        else:
            mapped = ch.upper() if self.upper else ch.lower()
            if len(mapped) != 1:  # no simple mapping (e.g. 'ß'.upper() == 'SS'): unchanged
                mapped = ch
        self[code] = mapped
        return mapped


_LOWER = _CaseMap(upper=False)
_UPPER = _CaseMap(upper=True)


def lower_invariant(text: str) -> str:
    if text.isascii():
        return text.lower()
    return text.translate(_LOWER)


def upper_invariant(text: str) -> str:
    if text.isascii():
        return text.upper()
    return text.translate(_UPPER)


def _fold(text: str) -> str:
    """Case-folded UTF-16 view, same length as the UTF-16 view of ``text``."""
    return lower_invariant(utf16_view(text))


# --------------------------------------------------------------------------- functions

@function("concat", min_args=1, max_args=None, category="string")
def concat(*args):
    result = "".join(to_string(a) for a in args)
    most = limits.active().string_result_chars
    if len(result) > most:
        raise ExpressionError(
            f"The template language function 'concat' produced a result of {len(result)} characters, which "
            f"exceeds the limit of {most} characters.")
    return result


@function("startsWith", min_args=2, category="string",
          inline="({0}.lower().startswith({1}.lower()) if {0}.__class__ is str and {1}.__class__ is str"
                 " and {0}.isascii() and {1}.isascii() else {fn}({0}, {1}))")
def starts_with(text, search):
    text, search = want_str("startsWith", 0, text), want_str("startsWith", 1, search)
    return _fold(text).startswith(_fold(search))


@function("endsWith", min_args=2, category="string",
          inline="({0}.lower().endswith({1}.lower()) if {0}.__class__ is str and {1}.__class__ is str"
                 " and {0}.isascii() and {1}.isascii() else {fn}({0}, {1}))")
def ends_with(text, search):
    text, search = want_str("endsWith", 0, text), want_str("endsWith", 1, search)
    return _fold(text).endswith(_fold(search))


@function("indexOf", min_args=2, category="string")
def index_of(text, search):
    text, search = want_str("indexOf", 0, text), want_str("indexOf", 1, search)
    return _fold(text).find(_fold(search))


@function("lastIndexOf", min_args=2, category="string")
def last_index_of(text, search):
    text, search = want_str("lastIndexOf", 0, text), want_str("lastIndexOf", 1, search)
    if search == "":
        # .NET Framework semantics, as documented: last position of the text, 0 for an empty text
        return max(utf16_len(text) - 1, 0)
    return _fold(text).rfind(_fold(search))


@function("nthIndexOf", min_args=3, category="string")
def nth_index_of(text, search, occurrence):
    text = want_str("nthIndexOf", 0, text)
    search = want_str("nthIndexOf", 1, search)
    n = want_int("nthIndexOf", 2, occurrence)
    if n == 0 or search == "":
        return -1
    hay, needle = _fold(text), _fold(search)
    if n > 0:
        pos = -1
        for _ in range(n):
            pos = hay.find(needle, pos + 1)
            if pos < 0:
                return -1
        return pos
    end = len(hay)
    pos = -1
    for _ in range(-n):
        pos = hay.rfind(needle, 0, end)
        if pos < 0:
            return -1
        end = pos + len(needle) - 1  # the next match may overlap this one
    return pos


@function("replace", min_args=3, category="string")
def replace(text, old, new):
    text = want_str("replace", 0, text)
    old = want_str("replace", 1, old)
    new = want_str("replace", 2, new)
    if old == "":
        raise function_error("replace", "failed: String cannot be of zero length. (Parameter 'oldValue')")
    return text.replace(old, new)


@function("split", min_args=2, category="string")
def split(text, delimiter):
    text, delimiter = want_str("split", 0, text), want_str("split", 1, delimiter)
    if delimiter == "":
        return [text]
    return text.split(delimiter)


@function("substring", min_args=2, max_args=3, category="string")
def substring(text, start, length=None):
    text = want_str("substring", 0, text)
    start = want_int("substring", 1, start)
    units = utf16_view(text)
    if length is None:
        length = len(units) - start
    else:
        length = want_int("substring", 2, length)
    if start < 0 or length < 0 or start + length > len(units):
        raise ExpressionError(
            "The template language function 'substring' parameters are out of range: 'start index' and "
            "'length' must be non-negative integers and their sum must be no larger than the length of the "
            "string. Please see https://aka.ms/logicexpressions#substring for usage details.")
    return from_utf16_view(units[start:start + length])


@function("slice", min_args=2, max_args=3, category="string")
def slice_(text, start, end=None):
    text = want_str("slice", 0, text)
    start = want_int("slice", 1, start)
    units = utf16_view(text)
    size = len(units)
    end = size if end is None else want_int("slice", 2, end)
    if start < 0:
        start += size
    if end < 0:
        end += size
    if start >= size or end <= start:
        return ""
    return from_utf16_view(units[max(start, 0):min(end, size)])


@function("toLower", min_args=1, category="string")
def to_lower(text):
    if not isinstance(text, str):
        raise single_param_error("toLower", "a string", text)
    return lower_invariant(text)


@function("toUpper", min_args=1, category="string")
def to_upper(text):
    if not isinstance(text, str):
        raise single_param_error("toUpper", "a string", text)
    return upper_invariant(text)


@function("trim", min_args=1, category="string")
def trim(text):
    if not isinstance(text, str):
        raise ExpressionError(
            f"The template language function 'trim' was invoked with parameters that are not valid: "
            f"it expects a string; the provided value is of type '{type_name(text)}'. "
            f"Please see https://aka.ms/logicexpressions#trim for usage details.")
    return text.strip(DOTNET_WHITESPACE)


@function("utf8Length", min_args=1, category="string")
def utf8_length(text):
    if not isinstance(text, str):
        raise single_param_error("utf8Length", "a string", text)
    return len(text.encode("utf-8", "surrogatepass"))


@function("utf16Length", min_args=1, category="string")
def utf16_length(text):
    if not isinstance(text, str):
        raise single_param_error("utf16Length", "a string", text)
    return 2 * utf16_len(text)


_GUID_FORMATS = {"n", "d", "b", "p", "x"}


@function("guid", min_args=0, max_args=1, category="string", context=True)
def guid(ctx, fmt="D"):
    fmt = want_str("guid", 0, fmt)
    key = fmt.lower() or "d"
    if key not in _GUID_FORMATS:
        raise function_error(
            "guid", "was invoked with a parameter that is not valid: the format must be one of "
                    "'N', 'D', 'B', 'P' or 'X'. Please see https://aka.ms/logicexpressions#guid for usage details.")
    value = ctx.new_guid()
    h = value.hex
    if key == "n":
        return h
    dashed = str(value)
    if key == "d":
        return dashed
    if key == "b":
        return "{" + dashed + "}"
    if key == "p":
        return "(" + dashed + ")"
    tail = ",".join(f"0x{h[i:i + 2]}" for i in range(16, 32, 2))
    return f"{{0x{h[0:8]},0x{h[8:12]},0x{h[12:16]},{{{tail}}}}}"
