"""Custom numeric format patterns: ``0`` and ``#`` digits, ``.``, ``,`` (grouping and scaling), ``%``, ``‰``,
``E+0`` exponents, quoted literals and ``\\`` escapes, and up to three ``;`` sections (positive, negative,
zero). A port of .NET's ``NumberToStringFormat``; Double digits arrive cut to 15 significant digits and are
rounded half up here at the pattern's position (.NET keeps this double rounding for compatibility).
"""

from __future__ import annotations

from .buffer import NumberBuffer, format_exponent, round_number
from .cultures import NumberFormat


def _find_section(fmt: str, section: int) -> int:
    if section == 0:
        return 0
    src = 0
    n = len(fmt)
    while True:
        if src >= n:
            return 0
        ch = fmt[src]
        src += 1
        if ch in "'\"":
            while src < n and fmt[src] != "\0":
                src += 1
                if fmt[src - 1] == ch:
                    break
        elif ch == "\\":
            if src < n and fmt[src] != "\0":
                src += 1
        elif ch == ";":
            section -= 1
            if section != 0:
                continue
            if src < n and fmt[src] != "\0" and fmt[src] != ";":
                return src
            return 0
        elif ch == "\0":
            return 0


def format_custom(number: NumberBuffer, fmt: str, nfi: NumberFormat) -> str:  # noqa: C901 - a faithful port
    n = len(fmt)
    section = _find_section(fmt, 2 if not number.d(0) else (1 if number.negative else 0))
    thousand_count = 0
    while True:
        digit_count = 0
        decimal_pos = -1
        first_digit = 0x7FFFFFFF
        last_digit = 0
        scientific = False
        thousand_pos = -1
        thousand_seps = False
        scale_adjust = 0
        src = section
        while src < n:
            ch = fmt[src]
            src += 1
            if ch in ("\0", ";"):
                break
            if ch == "#":
                digit_count += 1
            elif ch == "0":
                if first_digit == 0x7FFFFFFF:
                    first_digit = digit_count
                digit_count += 1
                last_digit = digit_count
            elif ch == ".":
                if decimal_pos < 0:
                    decimal_pos = digit_count
            elif ch == ",":
                if digit_count > 0 and decimal_pos < 0:
                    if thousand_pos >= 0:
                        if thousand_pos == digit_count:
                            thousand_count += 1
                            continue
                        thousand_seps = True
                    thousand_pos = digit_count
                    thousand_count = 1
            elif ch == "%":
                scale_adjust += 2
            elif ch == "\u2030":
                scale_adjust += 3
            elif ch in "'\"":
                while src < n and fmt[src] != "\0":
                    src += 1
                    if fmt[src - 1] == ch:
                        break
            elif ch == "\\":
                if src < n and fmt[src] != "\0":
                    src += 1
            elif ch in "Ee":
                if (src < n and fmt[src] == "0") or \
                        (src + 1 < n and fmt[src] in "+-" and fmt[src + 1] == "0"):
                    src += 1
                    while src < n and fmt[src] == "0":
                        src += 1
                    scientific = True
        if decimal_pos < 0:
            decimal_pos = digit_count
        if thousand_pos >= 0:
            if thousand_pos == decimal_pos:
                scale_adjust -= thousand_count * 3
            else:
                thousand_seps = True
        if number.d(0):
            number.scale += scale_adjust
            pos = digit_count if scientific else number.scale + digit_count - decimal_pos
            round_number(number, pos, False)
            if not number.d(0):
                src = _find_section(fmt, 2)
                if src != section:
                    section = src
                    continue
        else:
            if number.kind != "float":
                number.negative = False
            number.scale = 0
        break

    first_digit = decimal_pos - first_digit if first_digit < decimal_pos else 0
    last_digit = decimal_pos - last_digit if last_digit > decimal_pos else 0
    if scientific:
        dig_pos = decimal_pos
        adjust = 0
    else:
        dig_pos = max(number.scale, decimal_pos)
        adjust = number.scale - decimal_pos
    src = section

    sep_positions: list[int] = []
    group_sep = nfi.number_group_separator
    if thousand_seps and group_sep:
        sizes = nfi.number_group_sizes
        index = 0
        total = sizes[0] if sizes else 0
        size = total
        total_digits = dig_pos + (adjust if adjust < 0 else 0)
        num_digits = max(first_digit, total_digits)
        while num_digits > total:
            if size == 0:
                break
            sep_positions.append(total)
            if index < len(sizes) - 1:
                index += 1
                size = sizes[index]
            total += size
    sep_ctr = len(sep_positions) - 1

    out: list[str] = []
    if number.negative and section == 0 and number.scale != 0:
        out.append(nfi.negative_sign)
    decimal_written = False
    cur = 0

    def emit_separator() -> None:
        nonlocal sep_ctr
        if thousand_seps and dig_pos > 1 and sep_ctr >= 0 and dig_pos == sep_positions[sep_ctr] + 1:
            out.append(group_sep)
            sep_ctr -= 1

    while src < n:
        ch = fmt[src]
        src += 1
        if ch in ("\0", ";"):
            break
        if adjust > 0 and ch in "#0.":
            while adjust > 0:
                digit = number.d(cur)
                if digit:
                    cur += 1
                out.append(digit or "0")
                emit_separator()
                dig_pos -= 1
                adjust -= 1
        if ch in "#0":
            if adjust < 0:
                adjust += 1
                digit = "0" if dig_pos <= first_digit else ""
            else:
                digit = number.d(cur)
                if digit:
                    cur += 1
                else:
                    digit = "0" if dig_pos > last_digit else ""
            if digit:
                out.append(digit)
                emit_separator()
            dig_pos -= 1
        elif ch == ".":
            if dig_pos != 0 or decimal_written:
                continue
            if last_digit < 0 or (decimal_pos < digit_count and number.d(cur)):
                out.append(nfi.number_decimal_separator)
                decimal_written = True
        elif ch == "\u2030":
            out.append(nfi.per_mille_symbol)
        elif ch == "%":
            out.append(nfi.percent_symbol)
        elif ch == ",":
            pass
        elif ch in "'\"":
            while src < n and fmt[src] != "\0" and fmt[src] != ch:
                out.append(fmt[src])
                src += 1
            if src < n and fmt[src] != "\0":
                src += 1
        elif ch == "\\":
            if src < n and fmt[src] != "\0":
                out.append(fmt[src])
                src += 1
        elif ch in "Ee":
            if scientific:
                positive_sign = False
                zeros = 0
                if src < n and fmt[src] == "0":
                    zeros = 1
                elif src + 1 < n and fmt[src] == "+" and fmt[src + 1] == "0":
                    positive_sign = True
                elif src + 1 < n and fmt[src] == "-" and fmt[src + 1] == "0":
                    pass
                else:
                    out.append(ch)
                    continue
                src += 1
                while src < n and fmt[src] == "0":
                    src += 1
                    zeros += 1
                zeros = min(zeros, 10)
                exp = number.scale - decimal_pos if number.d(0) else 0
                out.append(format_exponent(nfi, exp, ch, zeros, positive_sign))
                scientific = False
            else:
                out.append(ch)
                if src < n:
                    if fmt[src] in "+-":
                        out.append(fmt[src])
                        src += 1
                    while src < n and fmt[src] == "0":
                        out.append(fmt[src])
                        src += 1
        else:
            out.append(ch)

    if number.negative and section == 0 and number.scale == 0 and out:
        out.insert(0, nfi.negative_sign)
    return "".join(out)
