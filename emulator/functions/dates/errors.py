"""Exceptions of the .NET date code; ``functions/datetime.py`` turns them into host messages."""


class DateFormatError(ValueError):
    """An invalid .NET format string (``FormatException``)."""


class DateParseError(ValueError):
    """A string that is not a date the parser recognises."""


class CultureNotFoundError(ValueError):
    """An unknown culture name."""


class DateRangeError(ValueError):
    """A result outside 0001-01-01 .. 9999-12-31."""
