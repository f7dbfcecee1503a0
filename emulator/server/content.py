"""A request as a Request trigger's outputs (spec §6): headers, queries, ``body`` (spec §5), path parameters.

Used by the server for every call and by the ``run`` command for its one in-process request, so both build
the same ``triggerOutputs()``. How bytes become the ``body`` is :mod:`emulator.content` (shared with the Http
action); here is what is particular to an incoming request.
"""

from __future__ import annotations

from ..content import CANONICAL_HEADERS, InvalidRequestContent
from ..content import decode_body as decode_content
from .errors import HttpError
from .paths import RelativePath

__all__ = ["InvalidRequestContent", "build_trigger_outputs", "decode_body", "invalid_content",
           "match_relative_path", "trigger_headers", "trigger_queries"]


def invalid_content(detail: str) -> HttpError:
    return HttpError(400, "InvalidRequestContent",
                     f"The request content is not valid and could not be deserialized: '{detail}'.")


def decode_body(data: bytes, content_type: str | None):
    """The trigger ``body`` for raw request bytes; raises HttpError 400 InvalidRequestContent."""
    try:
        return decode_content(data, content_type)
    except InvalidRequestContent as exc:
        raise invalid_content(exc.detail) from None


def trigger_headers(raw_headers, drop_authorization: bool = False) -> dict:
    """Request headers as trigger output headers: canonical names for known ones, repeats comma-joined.

    ``drop_authorization``: leave ``Authorization`` out (a trigger without IncludeAuthorizationHeadersInOutputs).
    """
    headers: dict[str, str] = {}
    canonical = CANONICAL_HEADERS
    for name, value in raw_headers.items():
        lowered = name.lower()
        if drop_authorization and lowered == "authorization":
            continue
        key = canonical.get(lowered, name)
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers


def trigger_queries(query) -> dict:
    """Query parameters as strings; a repeated key's values are comma-joined (open question 6)."""
    out: dict[str, str] = {}
    for key, value in query.items():
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def build_trigger_outputs(method: str | None, headers: dict | None, queries: dict | None,
                          body_bytes: bytes | None, relative_path_parameters: dict | None = None) -> dict:
    """The §6 shape for a request given in parts (the ``run`` command): ``{"headers", "queries"?, "body"?,
    "relativePathParameters"?}``.

    ``headers`` and ``queries`` map names to strings. ``body`` is left out when there is no body; invalid
    content raises :class:`InvalidRequestContent`. ``method`` is accepted for symmetry with the server but,
    as on the host, is not part of the outputs.
    """
    headers = trigger_headers(headers or {})
    outputs: dict = {"headers": headers}
    if queries:
        outputs["queries"] = trigger_queries(queries)
    if body_bytes:
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        outputs["body"] = decode_content(body_bytes, content_type)
    if relative_path_parameters is not None:
        outputs["relativePathParameters"] = dict(relative_path_parameters)
    return outputs


def match_relative_path(template: str | None, path: str | None) -> dict | None:
    """``/orders/{id}`` against ``/orders/42`` -> ``{"id": "42"}``; None when it does not match."""
    if not template:
        return {} if not (path or "").strip("/") else None
    return RelativePath(template).match(path or "")
