"""Lark LALR parser for one expression body, built once from the packaged grammar."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .errors import ExpressionSyntaxError

# The designer's token names (LogicAppsUX ExpressionTokenType), used in messages.
TOKEN_NAMES = {
    "LPAR": "LeftParenthesis",
    "RPAR": "RightParenthesis",
    "LSQB": "LeftSquareBracket",
    "RSQB": "RightSquareBracket",
    "COMMA": "Comma",
    "DOT": "Dot",
    "SAFE": "QuestionMark",
    "STRING": "StringLiteral",
    "NUMBER": "NumberLiteral",
    "NAME": "Identifier",
    "$END": "EndOfData",
}


def grammar_text() -> str:
    return resources.files("emulator.grammar").joinpath("expression.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", start="start", maybe_placeholders=False)


def parse(body: str) -> Tree | Token:
    """Parse an expression body; raise :class:`ExpressionSyntaxError` with a 0-based ``column`` offset."""
    try:
        return parser().parse(body)
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream
        ch = body[pos] if pos < len(body) else ""
        if ch == "'":
            msg = (f"Unable to parse template language expression '{body}': the string literal starting at "
                   f"position '{pos}' is not terminated.")
        else:
            msg = (f"Unable to parse template language expression '{body}': the character '{ch}' at position "
                   f"'{pos}' is not expected.")
        raise ExpressionSyntaxError(msg, column=pos, expression=body) from None
    except UnexpectedEOF as exc:
        expected = sorted(TOKEN_NAMES.get(t, t) for t in exc.expected)
        msg = (f"Unable to parse template language expression '{body}': expected token "
               f"'{expected[0] if expected else 'EndOfData'}' and actual 'EndOfData'.")
        raise ExpressionSyntaxError(msg, column=len(body), expression=body) from None
    except UnexpectedToken as exc:
        tok = exc.token
        actual = TOKEN_NAMES.get(tok.type, tok.type)
        expected = sorted(TOKEN_NAMES.get(t, t) for t in exc.expected if t in TOKEN_NAMES)
        pos = tok.start_pos if tok.start_pos is not None else len(body)
        msg = (f"Unable to parse template language expression '{body}': expected token "
               f"'{expected[0] if expected else 'EndOfData'}' and actual '{actual}'.")
        raise ExpressionSyntaxError(msg, column=pos, expression=body) from None
    except UnexpectedInput as exc:  # pragma: no cover - any other Lark input error
        raise ExpressionSyntaxError(f"Unable to parse template language expression '{body}'.",
                                    column=getattr(exc, "pos_in_stream", 0) or 0, expression=body) from None
