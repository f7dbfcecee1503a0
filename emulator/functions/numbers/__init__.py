""".NET number formatting behind ``formatNumber`` (``functions/numeric.py``).

A port of ``Number.Formatting.cs`` (dotnet/runtime), one module per topic; import from the module itself
(this package re-exports nothing):

* ``cultures``: :class:`NumberFormat` (.NET ``NumberFormatInfo``) for a culture name, from CLDR via Babel.
* ``formatting``: :func:`format_number` (``ToString(format, culture)`` for Int64, Double, Decimal), the
  format-specifier parser and how each number type becomes a digit buffer.
* ``buffer``: the digit buffer (.NET ``NumberBuffer``), Double digit generation, ``RoundNumber``.
* ``standard``: the standard formats C, D, E, F, G, N, P, R.
* ``custom``: custom patterns (``#,##0.00;(#);zero``, ``0.###E+0``, ``%``, ``‰``, quoted literals).
* ``errors``: :class:`FormatError`.

Date cultures are a separate lookup: ``functions/dates/cultures.py``.
"""
