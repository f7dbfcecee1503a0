"""Date cultures (.NET ``DateTimeFormatInfo``): month and day names, AM/PM, era, standard patterns and
separators, from CLDR through Babel, converted the way .NET on ICU converts ICU patterns.

:func:`get_culture` returns a :class:`Culture`; ``""`` is the invariant culture. An unknown name raises
:class:`CultureNotFoundError`. (Number formats are a separate lookup: ``functions/numbers/cultures.py``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .errors import CultureNotFoundError
from .patterns import custom_tokens

EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
EN_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@dataclass
class Culture:
    name: str
    month_names: list[str]
    abbr_month_names: list[str]
    day_names: list[str]  # Sunday first, like .NET
    abbr_day_names: list[str]
    am: str
    pm: str
    patterns: dict[str, str]  # d D t T M Y (f F g G derived)
    month_genitive: list[str] = field(default_factory=list)
    abbr_month_genitive: list[str] = field(default_factory=list)
    era: str = "A.D."
    date_sep: str = "/"
    time_sep: str = ":"
    decimal_sep: str = "."
    date_words: frozenset[str] = frozenset()

    def __post_init__(self):
        self.month_genitive = self.month_genitive or list(self.month_names)
        self.abbr_month_genitive = self.abbr_month_genitive or list(self.abbr_month_names)
        p = self.patterns
        p.setdefault("f", p["D"] + " " + p["t"])
        p.setdefault("F", p["D"] + " " + p["T"])
        p.setdefault("g", p["d"] + " " + p["t"])
        p.setdefault("G", p["d"] + " " + p["T"])

    @property
    def use_genitive(self) -> bool:
        return self.month_genitive != self.month_names or self.abbr_month_genitive != self.abbr_month_names

    @cached_property
    def date_order(self) -> str:
        """"MDY", "DMY" or "YMD": the order of the fields in the short date pattern."""
        order = ""
        for kind, _, _ in custom_tokens(self.patterns["d"]):
            if kind in "yMd" and kind not in order:
                order += kind
        order = order.replace("y", "Y").replace("d", "D")
        return order if len(order) == 3 else "MDY"


INVARIANT = Culture(
    name="",
    month_names=EN_MONTHS,
    abbr_month_names=[m[:3] for m in EN_MONTHS],
    day_names=EN_DAYS,
    abbr_day_names=[d[:3] for d in EN_DAYS],
    am="AM",
    pm="PM",
    patterns={"d": "MM/dd/yyyy", "D": "dddd, dd MMMM yyyy", "t": "HH:mm", "T": "HH:mm:ss",
              "M": "MMMM dd", "Y": "yyyy MMMM"},
)


def ldml_to_net(pattern: str, is_time: bool = False) -> str:
    """Convert a CLDR (ICU) pattern to a .NET custom format, as .NET's ICU culture loader does."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                out.append("\\'")
                i += 2
                continue
            j, text = i + 1, []
            while j < n:
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        text.append("'")
                        j += 2
                        continue
                    break
                text.append(pattern[j])
                j += 1
            literal = "".join(text).replace("\\", "\\\\").replace("'", "\\'")
            if is_time:
                literal = literal.replace("\u202f", " ")
            out.append("'" + literal + "'")
            i = j + 1
            continue
        if ch.isascii() and ch.isalpha():
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            count = j - i
            i = j
            if ch == "y":
                out.append("yy" if count == 2 else "yyyy")
            elif ch in "ML":
                out.append("M" * min(count, 4))
            elif ch == "d":
                out.append("d" * min(count, 2))
            elif ch in "Ec":
                out.append("ddd" if count <= 3 else "dddd")
            elif ch in "hHms":
                out.append(ch * min(count, 2))
            elif ch == "K":
                out.append("h" * min(count, 2))
            elif ch == "k":
                out.append("H" * min(count, 2))
            elif ch in "abB":
                out.append("tt")
            elif ch == "G":
                out.append("g")
            elif ch == "S":
                out.append("f" * min(count, 7))
            elif ch in "zvVOZXx":
                continue
            else:
                out.append("'" + ch * count + "'")
            continue
        if ch == "\u202f" and is_time:
            ch = " "
        if ch in "\\%\"":
            out.append("\\" + ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out).strip()


def _separator(net_pattern: str, fields: str, default: str) -> str:
    """The literal text between the first two fields of a .NET pattern (.NET's GetSeparator)."""
    tokens = list(custom_tokens(net_pattern))
    for index, (kind, _, _) in enumerate(tokens):
        if kind in fields:
            text = []
            for kind2, value, _ in tokens[index + 1:]:
                if kind2 in fields:
                    return "".join(text) or default
                if kind2 == "lit":
                    text.append(value)
                elif kind2 in "/:":
                    text.append(default if kind2 == "/" and fields == "yMd" else value)
                else:
                    break
            return default
    return default


def _words(patterns) -> frozenset[str]:
    words = set()
    for pattern in patterns:
        for kind, value, _ in custom_tokens(pattern):
            if kind == "lit":
                for word in re.findall(r"[^\W\d_]+", value):
                    words.add(word.lower())
    return frozenset(words)


@lru_cache(maxsize=64)
def get_culture(name: str | None) -> Culture:
    """The culture for a name such as ``en-us``, ``fr-FR``; ``""`` is the invariant culture."""
    if name is None or name.strip() == "" or name.strip().lower() in ("iv", "invariant"):
        return INVARIANT
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(name.strip().replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise CultureNotFoundError(name) from exc

    def names(table, width):
        return [table[width][k] for k in range(1, 13)]

    def days(table, width):
        data = table[width]
        return [data[6]] + [data[k] for k in range(6)]

    months, weekdays = loc.months, loc.days
    short_date = ldml_to_net(loc.date_formats["short"].pattern)
    if re.search(r"(?<!y)yy(?!y)", short_date):  # .NET's FixDefaultShortDatePattern
        short_date = re.sub(r"(?<!y)yy(?!y)", "yyyy", short_date, count=1)
    patterns = {
        "d": short_date,
        "D": ldml_to_net(loc.date_formats["full"].pattern),
        "t": ldml_to_net(loc.time_formats["short"].pattern, True),
        "T": ldml_to_net(loc.time_formats["medium"].pattern, True),
        "M": ldml_to_net(loc.datetime_skeletons["MMMMd"].pattern),
        "Y": ldml_to_net(loc.datetime_skeletons["yMMMM"].pattern),
    }
    periods = loc.day_periods.get("format", {}).get("abbreviated", {})
    decimal_sep = "."
    try:
        decimal_sep = loc.number_symbols["latn"]["decimal"]
    except (KeyError, TypeError):
        pass
    return Culture(
        name=str(loc),
        month_names=names(months["stand-alone"], "wide"),
        abbr_month_names=names(months["stand-alone"], "abbreviated"),
        month_genitive=names(months["format"], "wide"),
        abbr_month_genitive=names(months["format"], "abbreviated"),
        day_names=days(weekdays["stand-alone"], "wide"),
        abbr_day_names=days(weekdays["stand-alone"], "abbreviated"),
        am=periods.get("am", "AM"),
        pm=periods.get("pm", "PM"),
        patterns=patterns,
        era="A.D." if loc.language == "en" else loc.eras["abbreviated"][1],  # Windows NLS spelling
        date_sep=_separator(patterns["d"], "yMd", "/"),
        time_sep=_separator(patterns["T"], "Hhms", ":"),
        decimal_sep=decimal_sep,
        date_words=_words([ldml_to_net(loc.date_formats[k].pattern) for k in ("long", "full")]
                          + [patterns["M"], patterns["Y"]]),
    )
