"""The exception of the .NET number formatting code; ``functions/numeric.py`` turns it into host messages."""


class FormatError(ValueError):
    """The format string is not valid for this kind of number (.NET FormatException)."""
