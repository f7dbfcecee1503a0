""".NET ``NumberFormatInfo`` for a culture name, built from CLDR data (via ``babel``).

The host runs .NET with ICU globalization, so its number formats are CLDR's, reduced the way .NET reduces
them (see ``pal_localeNumberData.c`` in dotnet/runtime): the currency, percent and negative-number patterns
are matched to .NET's fixed pattern lists, ``NumberDecimalDigits`` is the decimal pattern's maximum fraction
digits (3 for ``en-US``), ``PercentDecimalDigits`` copies it, the negative infinity symbol is the negative
sign followed by the infinity symbol.

:func:`get_culture` returns a :class:`NumberFormat`; ``""`` is the invariant culture. An unknown name raises
:class:`CultureNotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale
from babel.numbers import get_currency_precision, get_territory_currencies

# .NET's pattern lists, as ICU patterns are normalized to them ('C' currency, 'n' number).
_CURRENCY_POSITIVE = ["Cn", "nC", "C n", "n C"]
_CURRENCY_NEGATIVE = ["(Cn)", "-Cn", "C-n", "Cn-", "(nC)", "-nC", "n-C", "nC-", "-n C", "-C n", "n C-", "C n-",
                      "C -n", "n- C", "(C n)", "(n C)", "C- n"]
_NUMBER_NEGATIVE = ["(n)", "-n", "- n", "n-", "n -"]
_PERCENT_POSITIVE = ["n %", "n%", "%n", "% n"]
_PERCENT_NEGATIVE = ["-n %", "-n%", "-%n", "%-n", "%n-", "n-%", "n%-", "-% n", "n %-", "% n-", "% -n", "n- %"]

# Characters .NET treats as a minus when the culture's negative sign is one of them ("-" is then accepted too).
_MINUS_LIKE = {"\u2012", "\u207b", "\u208b", "\u2212", "\u2796", "\ufe63", "\uff0d"}

# Where the host's (ICU) symbol differs from the CLDR release babel ships. Kept as small as possible:
# the documented host output `formatNumber(17.35, 'C2', 'is-is')` = "17,35 kr" (CLDR now has "kr.").
_CURRENCY_SYMBOL_OVERRIDES = {("is", "ISK"): "kr"}


class CultureNotFound(ValueError):
    """The culture name is not one the host knows."""


@dataclass(frozen=True)
class NumberFormat:
    name: str
    negative_sign: str = "-"
    positive_sign: str = "+"
    number_decimal_separator: str = "."
    number_group_separator: str = ","
    number_group_sizes: tuple[int, ...] = (3,)
    number_decimal_digits: int = 2
    number_negative_pattern: int = 1
    currency_symbol: str = "\u00a4"
    currency_decimal_digits: int = 2
    currency_decimal_separator: str = "."
    currency_group_separator: str = ","
    currency_group_sizes: tuple[int, ...] = (3,)
    currency_positive_pattern: int = 0
    currency_negative_pattern: int = 0
    percent_symbol: str = "%"
    per_mille_symbol: str = "\u2030"
    percent_decimal_digits: int = 2
    percent_decimal_separator: str = "."
    percent_group_separator: str = ","
    percent_group_sizes: tuple[int, ...] = (3,)
    percent_positive_pattern: int = 0
    percent_negative_pattern: int = 0
    nan_symbol: str = "NaN"
    positive_infinity_symbol: str = "Infinity"
    negative_infinity_symbol: str = "-Infinity"

    @property
    def allow_hyphen_during_parsing(self) -> bool:
        return self.negative_sign in _MINUS_LIKE


INVARIANT = NumberFormat(name="")


def get_culture(name: str) -> NumberFormat:
    """The number format of culture ``name`` (case-insensitive, ``-`` or ``_``); ``""`` = invariant."""
    if name == "":
        return INVARIANT
    return _culture(name.replace("_", "-").lower())


@lru_cache(maxsize=256)
def _culture(key: str) -> NumberFormat:
    if not key or key.startswith("-") or key.endswith("-") or "--" in key or not key.isascii():
        raise CultureNotFound(key)
    locale, territory = _find_locale(key)
    return _from_locale(key, locale, territory)


def _find_locale(key: str) -> tuple[Locale, str | None]:
    """The babel locale for a culture name and the region whose currency it uses."""
    _check_components(key)
    try:
        locale = Locale.parse(key, sep="-")
    except (UnknownLocaleError, ValueError):
        locale = None
    if locale is not None:
        return locale, locale.territory or _likely_territory(locale)
    # "de-US": a known language with a known region that CLDR has no locale for (ICU accepts these)
    parts = key.split("-")
    if len(parts) < 2:
        raise CultureNotFound(key)
    region = parts[-1].upper()
    try:
        base = Locale.parse("-".join(parts[:-1]), sep="-")
    except (UnknownLocaleError, ValueError):
        raise CultureNotFound(key) from None
    if region not in Locale("en").territories or not region.isalpha():
        raise CultureNotFound(key)
    return base, region


def _check_components(key: str) -> None:
    """Reject tags babel would parse leniently: unknown scripts, regions or variants."""
    try:
        _, territory, script, variant, *_ = parse_locale(key, sep="-")
    except ValueError:
        raise CultureNotFound(key) from None
    names = Locale("en")
    if variant is not None or (script is not None and script not in names.scripts):
        raise CultureNotFound(key)
    if territory is not None and territory not in names.territories:
        raise CultureNotFound(key)


def _likely_territory(locale: Locale) -> str | None:
    likely = get_global("likely_subtags").get(str(locale)) or get_global("likely_subtags").get(locale.language)
    if not likely:
        return None
    for part in likely.split("_")[1:]:
        if len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            return part
    return None


def _from_locale(name: str, locale: Locale, territory: str | None) -> NumberFormat:
    system = locale.default_numbering_system
    symbols = locale.number_symbols.get(system) or locale.number_symbols.get("latn") or {}
    decimal_pattern = locale.decimal_formats.get(None)
    currency_pattern = locale.currency_formats.get("standard")
    percent_pattern = locale.percent_formats.get(None)

    negative = symbols.get("minusSign", "-")
    decimal_sep = symbols.get("decimal", ".")
    group_sep = symbols.get("group", ",")
    number_digits = decimal_pattern.frac_prec[1] if decimal_pattern is not None else 2

    currency = None
    if territory:
        found = get_territory_currencies(territory, tender=True)
        currency = found[0] if found else None
    if currency:
        symbol = _CURRENCY_SYMBOL_OVERRIDES.get((locale.language, currency)) or \
            locale.currency_symbols.get(currency, currency)
        currency_digits = get_currency_precision(currency)
    else:
        symbol, currency_digits = "\u00a4", 2

    infinity = symbols.get("infinity", "\u221e")
    return NumberFormat(
        name=name,
        negative_sign=negative,
        positive_sign=symbols.get("plusSign", "+"),
        number_decimal_separator=decimal_sep,
        number_group_separator=group_sep,
        number_group_sizes=_group_sizes(decimal_pattern),
        number_decimal_digits=number_digits,
        number_negative_pattern=_match(decimal_pattern, _NUMBER_NEGATIVE, True, 1),
        currency_symbol=symbol,
        currency_decimal_digits=currency_digits,
        currency_decimal_separator=symbols.get("currencyDecimal", decimal_sep),
        currency_group_separator=symbols.get("currencyGroup", group_sep),
        currency_group_sizes=_group_sizes(currency_pattern),
        currency_positive_pattern=_match(currency_pattern, _CURRENCY_POSITIVE, False, 0),
        currency_negative_pattern=_match(currency_pattern, _CURRENCY_NEGATIVE, True, 0),
        percent_symbol=symbols.get("percentSign", "%"),
        per_mille_symbol=symbols.get("perMille", "\u2030"),
        percent_decimal_digits=number_digits,
        percent_decimal_separator=decimal_sep,
        percent_group_separator=group_sep,
        percent_group_sizes=_group_sizes(decimal_pattern),
        percent_positive_pattern=_match(percent_pattern, _PERCENT_POSITIVE, False, 0),
        percent_negative_pattern=_match(percent_pattern, _PERCENT_NEGATIVE, True, 0),
        nan_symbol=symbols.get("nan", "NaN"),
        positive_infinity_symbol=infinity,
        negative_infinity_symbol=negative + infinity,
    )


def _group_sizes(pattern) -> tuple[int, ...]:
    if pattern is None:
        return (3,)
    primary, secondary = pattern.grouping
    if primary >= 1000:  # no grouping in the pattern
        return (0,)
    return (primary,) if secondary in (primary, 0) or secondary >= 1000 else (primary, secondary)


def _match(pattern, choices: list[str], negative: bool, default: int) -> int:
    """.NET's ``GetNumericPattern``: reduce the ICU pattern text and find it in ``choices``."""
    if pattern is None:
        return default
    normalized = _normalize(pattern.pattern, negative)
    try:
        return choices.index(normalized)
    except ValueError:
        return default


def _normalize(text: str, negative: bool) -> str:
    """.NET's ``NormalizeNumericPattern`` (pal_localeNumberData.c)."""
    positive_part, _, negative_part = _split_sections(text)
    part = negative_part if (negative and negative_part is not None) else positive_part
    has_minus = any(ch in "-()" for ch in part)
    out = "-" if negative and not has_minus else ""
    digit = currency = space = False
    for ch in part:
        if ch in "#0":
            if not digit:
                digit = True
                out += "n"
        elif ch == "\u00a4":
            if not currency:
                currency = True
                out += "C"
        elif ch in " \u00a0":
            if not space:
                space = True
                out += " "
        elif ch in "-()%":
            out += ch
    return out


def _split_sections(text: str) -> tuple[str, str, str | None]:
    # ICU patterns may quote literals; CLDR number patterns here have no quoted ';'
    if ";" in text:
        pos, neg = text.rsplit(";", 1)
        return pos, ";", neg
    return text, "", None
