"""A python-liquid environment that behaves like DotLiquid 2.0 with C# naming, as the host's Liquid actions do.

- Filters: DotLiquid's standard filters under their C# names (``Upcase``, ``DividedBy``, ``TruncateWords``...);
  Ruby names (``upcase``) are unknown filters. ``Replace``/``ReplaceFirst`` match a .NET regular expression
  (``$1`` in the replacement), ``Sort`` sorts as text, case-insensitively (the host's documented differences);
  ``Date`` takes .NET format strings. A filter that fails writes ``Liquid error: <message>`` in place of
  the output statement, as DotLiquid does (in a tag's expression the error fails the template).
- DotLiquid 2.0's versions where Shopify's differ: ``Capitalize`` title-cases every word, ``Split`` drops empty
  entries, ``Plus`` on text concatenates and ``Times`` on text repeats it (XML input is all text: ``"3" | Times: 2``
  is ``33``), ``Default`` replaces blank text too.
- ``forloop.First``, ``forloop.Last``, ``forloop.Index``... (C# member names).
- ``{% JSONArrayFor item in list %}...{% endJSONArrayFor %}``: the host's loop for JSON output, the rendered
  items joined with commas (no trailing comma); over an XML element it walks the child elements.
"""

from __future__ import annotations

import functools
import io
import json
import re
from datetime import datetime, timezone

from ...expressions import ExpressionError

# DotLiquid 2.0's StandardFilters (C# names) -> python-liquid's filter of the same behaviour
DOTLIQUID_FILTERS = {
    "Abs": "abs", "Append": "append", "AtLeast": "at_least", "AtMost": "at_most", "Capitalize": "capitalize",
    "Ceil": "ceil", "Compact": "compact", "Concat": "concat", "Default": "default", "DividedBy": "divided_by",
    "Downcase": "downcase", "Escape": "escape", "EscapeOnce": "escape_once", "First": "first", "Floor": "floor",
    "H": "escape", "Join": "join", "Last": "last", "Lstrip": "lstrip", "Map": "map", "Minus": "minus",
    "Modulo": "modulo", "NewlineToBr": "newline_to_br", "Plus": "plus", "Prepend": "prepend", "Remove": "remove",
    "RemoveFirst": "remove_first", "Reverse": "reverse", "Round": "round", "Rstrip": "rstrip", "Size": "size",
    "Slice": "slice", "SortNatural": "sort_natural", "Split": "split", "Strip": "strip", "StripHtml": "strip_html",
    "StripNewlines": "strip_newlines", "Times": "times", "Truncate": "truncate", "TruncateWords": "truncatewords",
    "Uniq": "uniq", "Upcase": "upcase", "UrlDecode": "url_decode", "UrlEncode": "url_encode", "Where": "where",
}
FORLOOP_MEMBERS = {"Name": "name", "Length": "length", "Index": "index", "Index0": "index0", "Rindex": "rindex",
                   "Rindex0": "rindex0", "First": "first", "Last": "last", "Parentloop": "parentloop"}
_GROUP = re.compile(r"\$(?:(\d+)|\{(\w+)\}|(\$)|(&))")

_ENV = None


def environment():
    """The DotLiquid-like environment (made on first use)."""
    global _ENV
    if _ENV is None:
        _ENV = _make_environment()
    return _ENV


# --------------------------------------------------------------------------- filters

def dotliquid_date(value, fmt=None):
    """``Date``: ``"now"``/``"today"`` or a date text, formatted with a .NET format string."""
    from ...functions.datetime import format_date_time

    if value is None or value == "":
        return value
    if fmt is None or fmt == "":
        return str(value)
    text = value
    if isinstance(value, str) and value.strip().lower() in ("now", "today"):
        text = datetime.now(timezone.utc).isoformat()
    elif isinstance(value, datetime):
        text = value.isoformat()
    try:
        return format_date_time(str(text), str(fmt))
    except ExpressionError:
        return value


def _dotnet_replacement(replacement: str):
    """A .NET replacement pattern (``$1``, ``${name}``, ``$$``, ``$&``; backslashes literal) as a function."""
    def expand(match) -> str:
        def group(m) -> str:
            number, name, dollar, whole = m.groups()
            if dollar:
                return "$"
            if whole:
                return match.group(0)
            try:
                return match.group(int(number) if number else name) or ""
            except IndexError:  # no such group: .NET keeps the text as written
                return m.group(0)
        return _GROUP.sub(group, replacement)
    return expand


# Python's regular-expression errors as .NET words them (the host's documented
# "Liquid error: parsing "\" - Illegal \ at end of pattern.")
_REGEX_ERRORS = {
    "bad escape (end of pattern)": "Illegal \\ at end of pattern.",
    "missing ), unterminated subpattern": "Not enough )'s.",
    "unbalanced parenthesis": "Too many )'s.",
    "unterminated character set": "Unterminated [] set.",
    "nothing to repeat": "Quantifier {x,y} following nothing.",
}


def _dotnet_regex_error(exc: re.error) -> str:
    return _REGEX_ERRORS.get(exc.msg, exc.msg)


def dotliquid_replace(value, pattern, replacement="", count: int = 0):
    """``Replace`` (``ReplaceFirst`` with count 1): a regular-expression replace, as DotLiquid's."""
    if value is None or pattern is None or str(pattern) == "":
        return value
    try:
        compiled = re.compile(str(pattern))
    except re.error as exc:
        raise ValueError(f'parsing "{pattern}" - {_dotnet_regex_error(exc)}') from None
    return compiled.sub(_dotnet_replacement("" if replacement is None else str(replacement)), str(value),
                        count=count)


def dotliquid_sort(value, key=None):
    """``Sort``: as text, case-insensitively (DotLiquid's ``sort_natural`` behaviour), optionally by a property."""
    if not isinstance(value, (list, tuple)):
        return value

    def text(item):
        if key is not None and isinstance(item, dict):
            item = item.get(str(key))
        return "" if item is None else str(item).lower()
    return sorted(value, key=text)


def dotliquid_string(value) -> str:
    """A value as an output statement prints it: an object as its JSON text (so ``{{ item }}`` in the host's
    XML-to-JSON example writes the element), a list as its items one after another, a whole float without
    its ``.0`` (as .NET prints a double), the rest as Liquid prints them."""
    from liquid.stringify import to_liquid_string

    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (list, tuple)):
        return "".join(dotliquid_string(item) for item in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return to_liquid_string(value, False)


# DotLiquid 2.0's own versions of filters Shopify defines differently (its source keeps them as the
# ``SyntaxCompatibility.DotLiquid20`` branches): the host runs DotLiquid 2.0.361.
_WORD = re.compile(r"[^\W\d_]+")


def dotliquid_capitalize(value):
    """``Capitalize``: .NET's ``TextInfo.ToTitleCase`` (every word; a word in capitals is kept as it is)."""
    if not isinstance(value, str) or not value.strip():
        return value
    return _WORD.sub(lambda m: m.group(0) if m.group(0).isupper() else m.group(0)[:1].upper() + m.group(0)[1:].lower(),
                     value)


def dotliquid_split(value, pattern=" "):
    """``Split``: empty entries are dropped (``StringSplitOptions.RemoveEmptyEntries``); a blank text is one item;
    an empty pattern splits into characters."""
    if value is None or not str(value).strip():
        return [value]
    text = str(value)
    if pattern is None or str(pattern) == "":
        return list(text)
    return [part for part in text.split(str(pattern)) if part]


def _net_text(value) -> str:
    """A value as .NET's ``ToString()`` writes it (``True``, ``2``, ``2.5``)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    return dotliquid_string(value)


def dotliquid_plus(value, operand, *, numeric):
    """``Plus``: a text input is concatenated (``"1" | Plus: 2`` is ``12``), numbers are added."""
    if isinstance(value, str):
        return value + _net_text(operand)
    return numeric(value, operand)


def dotliquid_times(value, operand, *, numeric):
    """``Times``: a text input times a whole number repeats the text (``"3" | Times: 2`` is ``33``)."""
    if isinstance(value, str) and isinstance(operand, int) and not isinstance(operand, bool):
        return [value] * max(operand, 0)
    return numeric(value, operand)


def dotliquid_default(value, default=""):
    """``Default``: nil, empty or blank text takes the default."""
    if value is None or value is False or (isinstance(value, str) and not value.strip()) or value in ([], {}):
        return default
    return value


class FilterFailed(Exception):
    """A filter failed: DotLiquid prints ``Liquid error: <message>`` in place of the whole output statement."""


def _inline_errors(fn):
    @functools.wraps(fn)
    def filter_(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every filter error becomes the statement's text
            raise FilterFailed(str(exc)) from None
    return filter_


# --------------------------------------------------------------------------- the environment

def _children(value):
    """What ``JSONArrayFor`` walks: a list's items, an element's child elements (not its @attributes)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        out = []
        for key, child in value.items():
            if key.startswith(("@", "#", "?", "!")):
                continue
            out.extend(child if isinstance(child, list) else [child])
        return out
    return [] if value is None else [value]


def _make_environment():
    from liquid import BoundTemplate, Environment, RenderContext
    from liquid.builtin.output import Output, OutputNode
    from liquid.builtin.tags.for_tag import ForLoop, ForNode, ForTag
    from liquid.exceptions import BreakLoop, ContinueLoop

    class DotLiquidContext(RenderContext):
        def get_item(self, obj, key):
            if isinstance(obj, ForLoop) and key in FORLOOP_MEMBERS:
                key = FORLOOP_MEMBERS[key]
            return super().get_item(obj, key)

    class DotLiquidTemplate(BoundTemplate):
        context_class = DotLiquidContext

    class DotLiquidEnvironment(Environment):
        template_class = DotLiquidTemplate

    class DotLiquidOutputNode(OutputNode):
        def render_to_output(self, context, buffer) -> int:
            try:
                value = self.expression.evaluate(context)
            except FilterFailed as exc:
                return buffer.write(f"Liquid error: {exc}")
            return buffer.write(dotliquid_string(value))

        async def render_to_output_async(self, context, buffer) -> int:
            return self.render_to_output(context, buffer)

    class DotLiquidOutput(Output):
        node_class = DotLiquidOutputNode

    class JsonArrayForNode(ForNode):
        def __str__(self) -> str:
            return f"{{% JSONArrayFor {self.expression} %}}{self.block}{{% endJSONArrayFor %}}"

        def render_to_output(self, context, buffer) -> int:
            items = _children(self.expression.iterable.evaluate(context))
            name = self.expression.identifier
            forloop = ForLoop(name=f"{name}-{self.expression.iterable}", it=iter(items), length=len(items),
                              parentloop=context.parentloop())
            namespace = {"forloop": forloop, name: None}
            parts = []
            with context.loop(namespace, forloop):
                for item in forloop:
                    namespace[name] = item
                    out = io.StringIO()
                    try:
                        self.block.render(context, out)
                    except ContinueLoop:
                        pass
                    except BreakLoop:
                        break
                    text = out.getvalue().strip()
                    if text:
                        parts.append(text)
            joined = ",".join(parts)
            buffer.write(joined)
            return len(joined)

        async def render_to_output_async(self, context, buffer) -> int:
            return self.render_to_output(context, buffer)

    class JsonArrayForTag(ForTag):
        name = "JSONArrayFor"
        end = "endJSONArrayFor"
        node_class = JsonArrayForNode

        def parse(self, stream):
            from liquid.builtin.expressions import LoopExpression
            from liquid.parser import get_parser
            from liquid.token import TOKEN_TAG

            token = stream.eat(TOKEN_TAG)
            expr = LoopExpression.parse(self.env, stream.into_inner(tag=token))
            block = get_parser(self.env).parse_block(stream, frozenset((self.end,)))
            stream.expect(TOKEN_TAG, value=self.end)
            return self.node_class(token, expression=expr, block=block)

    env = DotLiquidEnvironment(strict_filters=True)
    ruby = dict(env.filters)
    env.filters.clear()
    for name, ruby_name in DOTLIQUID_FILTERS.items():
        env.filters[name] = _inline_errors(ruby[ruby_name])
    env.filters["Date"] = _inline_errors(dotliquid_date)
    env.filters["Replace"] = _inline_errors(dotliquid_replace)
    env.filters["ReplaceFirst"] = _inline_errors(functools.partial(dotliquid_replace, count=1))
    env.filters["Sort"] = _inline_errors(dotliquid_sort)
    env.filters["Capitalize"] = _inline_errors(dotliquid_capitalize)
    env.filters["Split"] = _inline_errors(dotliquid_split)
    env.filters["Plus"] = _inline_errors(functools.partial(dotliquid_plus, numeric=ruby["plus"]))
    env.filters["Times"] = _inline_errors(functools.partial(dotliquid_times, numeric=ruby["times"]))
    env.filters["Default"] = _inline_errors(dotliquid_default)
    env.add_tag(JsonArrayForTag)
    env.add_tag(DotLiquidOutput)
    return env
