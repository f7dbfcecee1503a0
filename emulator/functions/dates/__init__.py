""".NET ``DateTime`` and ``TimeSpan`` semantics behind the date functions in ``functions/datetime.py``.

One module per topic; import from the module itself (this package re-exports nothing):

* ``values``: :class:`DateTimeValue` (.NET ticks + kind), tick constants, month arithmetic.
* ``cultures``: :class:`Culture` (month/day names, patterns, separators) from CLDR via Babel.
* ``patterns``: the tokenizer of .NET custom date patterns, shared by cultures, formatting and parsing.
* ``formatting``: ``DateTime.ToString``: standard and custom format strings.
* ``parsing``: ``DateTime.Parse`` and ``DateTime.ParseExact``.
* ``timespan``: ``TimeSpan.Parse`` and ``TimeSpan.ToString``.
* ``errors``: the exceptions; ``functions/datetime.py`` turns them into host messages.

Windows time zones are in ``functions/timezones.py``; number cultures in ``functions/numbers/cultures.py``.
"""
