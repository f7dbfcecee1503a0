"""The tokenizer of .NET custom date patterns (``yyyy-MM-dd``, ``'quoted'``, ``\\x``, ``%d``, ``/``, ``:``).

Shared by formatting, ``ParseExact`` and culture loading (separators, date order, literal words).
"""

from __future__ import annotations

from .errors import DateFormatError

_FIELD_CHARS = "dMyhHmsfFtgzK"


def custom_tokens(fmt: str, base: int = 0):
    """Split a .NET custom date format into (kind, value, index) tokens.

    kind is a field letter (value = repeat count), ``/`` or ``:`` (separators) or ``lit`` (literal text);
    index is the token's position in ``fmt``. Raises :class:`DateFormatError` where
    ``DateTimeFormat.FormatCustomized`` throws a ``FormatException``.
    """
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch in _FIELD_CHARS:
            j = i
            while j < n and fmt[j] == ch:
                j += 1
            count = j - i
            if ch in "fF" and count > 7:
                raise DateFormatError(fmt)
            yield ch, count, base + i
            i = j
        elif ch in "/:":
            yield ch, ch, base + i
            i += 1
        elif ch in "'\"":
            j, text = i + 1, []
            while j < n and fmt[j] != ch:
                if fmt[j] == "\\":
                    if j + 1 >= n:
                        raise DateFormatError(fmt)
                    j += 1
                text.append(fmt[j])
                j += 1
            if j >= n:
                raise DateFormatError(fmt)
            yield "lit", "".join(text), base + i
            i = j + 1
        elif ch == "%":
            if i + 1 >= n or fmt[i + 1] == "%":
                raise DateFormatError(fmt)
            yield from custom_tokens(fmt[i + 1], base + i + 1)
            i += 2
        elif ch == "\\":
            if i + 1 >= n:
                raise DateFormatError(fmt)
            yield "lit", fmt[i + 1], base + i
            i += 2
        else:
            yield "lit", ch, base + i
            i += 1
