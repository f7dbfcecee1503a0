"""One gateway call's state (:class:`Exchange`) and the ``context`` object policy expressions read.

The expression side only sees :class:`~.csharp.CsObject` views with listed members: ``context.Request``,
``.Response``, ``.Variables``, ``.Subscription``, ``.Api``, ``.Operation``, ``.Product``, ``.LastError``...
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from multidict import CIMultiDict, MultiDict

from .csharp import CsDictionary, CsObject, EvalError, convert, to_string


class Named:
    """A named argument ``name: value`` (only ``As<T>(preserveContent: true)`` reads one)."""

    def __init__(self, name, value):
        self.name, self.value = name, value


class RequestState:
    def __init__(self, method, url: str, headers, body: bytes, ip: str):
        parts = urlsplit(url)
        self.method = method.upper()
        self.original_url = url
        self.headers = CIMultiDict(headers)
        self.body: bytes | None = body
        self.ip = ip
        self.query = MultiDict()
        from urllib.parse import parse_qsl

        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            self.query.add(key, value)
        self.path = ""  # what the API path leaves over (the backend's relative path), set by routing
        self.matched: dict = {}
        self.backend_base = ""  # the backend's base URL without query
        self.backend_query: dict = {}  # query the backend itself needs (a workflow's SAS)
        self.backend_id = None


class ResponseState:
    def __init__(self):
        self.status, self.reason = 200, "OK"
        self.headers = CIMultiDict()
        self.body: bytes | None = b""


class Exchange:
    """Everything one call carries through the sections: request, response, variables, the matched route."""

    def __init__(self, request: RequestState, route=None, gateway=None):
        self.request = request
        self.response = ResponseState()
        self.variables: dict = {}
        self.route = route
        self.gateway = gateway
        self.subscription = None  # a config.Subscription
        self.subscription_key = None  # the key the caller sent (never logged)
        self.building_response = False  # inside return-response: set-header/set-body change the response
        self.product = None
        self.last_error = None  # a PolicyError while on-error runs
        self.section = "inbound"
        self.request_id = str(uuid.uuid4())
        self.timestamp = datetime.now(timezone.utc)
        self.started = time.perf_counter()
        self.after: list = []  # callables run once the answer is known (counters with increment-condition)
        self.extra_headers: dict = {}  # added to the answer whatever answers (cors, rate-limit headers)
        self.answered_by = "forwarded"
        self.view = CsContext(self)


# ---------------------------------------------------------------------------------------------- views
def _headers(multi) -> CsDictionary:
    grouped: dict = {}
    for key, value in multi.items():
        grouped.setdefault(str(key), []).append(value)
    return CsDictionary(grouped, ignore_case=True, join=",")


class CsBody(CsObject):
    def __init__(self, owner):
        self.owner = owner

    def _as(self, args, generic):
        raw = self.owner.body or b""
        if not any(a is True or isinstance(a, Named) and a.name == "preserveContent" and a.value is True
                   for a in args):
            self.owner.body = b""  # read once, as in APIM: without preserveContent the body is consumed
        text = raw.decode("utf-8-sig", "replace")
        kind = (generic or "string").split(".")[-1]
        if kind == "string":
            return text
        if kind in ("JObject", "JArray", "JToken"):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise EvalError(f"the body is not JSON: {exc}") from None
            return convert(value, kind)
        if kind == "byte[]":
            return list(raw)
        raise EvalError(f"Body.As<{generic}>() is not supported")

    METHODS = {"As": _as}


class CsUrl(CsObject):
    def __init__(self, url: str, query=None):
        self.parts = urlsplit(url)
        self.query = query

    def text(self) -> str:
        return self.parts.geturl()

    def _query(self):
        from urllib.parse import parse_qsl

        grouped: dict = {}
        pairs = self.query.items() if self.query is not None else parse_qsl(self.parts.query, True)
        for key, value in pairs:
            grouped.setdefault(key, []).append(value)
        return CsDictionary(grouped, ignore_case=True, join=",")

    MEMBERS = {
        "Scheme": lambda self: self.parts.scheme,
        "Host": lambda self: self.parts.hostname or "",
        "Port": lambda self: self.parts.port or (443 if self.parts.scheme == "https" else 80),
        "Path": lambda self: self.parts.path,
        "QueryString": lambda self: ("?" + self.parts.query) if self.parts.query else "",
        "Query": _query,
    }


class CsRequest(CsObject):
    def __init__(self, ex: Exchange):
        self.ex, self.state = ex, ex.request

    MEMBERS = {
        "Method": lambda self: self.state.method,
        "Url": lambda self: CsUrl(backend_url(self.state), self.state.query),
        "OriginalUrl": lambda self: CsUrl(self.state.original_url),
        "Headers": lambda self: _headers(self.state.headers),
        "IpAddress": lambda self: self.state.ip,
        "Body": lambda self: CsBody(self.state),
        "MatchedParameters": lambda self: CsDictionary(self.state.matched, ignore_case=True),
        "Certificate": lambda self: None,
    }


class CsResponse(CsObject):
    def __init__(self, ex: Exchange):
        self.state = ex.response

    MEMBERS = {
        "StatusCode": lambda self: self.state.status,
        "StatusReason": lambda self: self.state.reason,
        "Headers": lambda self: _headers(self.state.headers),
        "Body": lambda self: CsBody(self.state),
    }


class CsVariables(CsDictionary):
    """``context.Variables``: the live dictionary (case-sensitive, as .NET's default comparer)."""

    def __init__(self, variables: dict):
        self.ignore_case, self.join = False, None
        self.items = {k: (k, v) for k, v in variables.items()}


class CsNamed(CsObject):
    """Api, Operation, Product, Subscription, LastError, Deployment: fixed members read from a dict."""

    def __init__(self, values: dict):
        self.values = values

    def member(self, name):
        if name not in self.values:
            raise EvalError(f"'{type(self).__name__}' does not contain a definition for '{name}'")
        return self.values[name]


NAMED_MEMBERS = {
    "Api": ("Id", "Name", "Path", "Version", "Revision", "IsCurrentRevision", "ServiceUrl", "Protocols"),
    "Operation": ("Id", "Name", "Method", "UrlTemplate"),
    "Product": ("Id", "Name", "State", "SubscriptionRequired", "ApprovalRequired", "SubscriptionsLimit",
                "Groups", "Apis"),
    "Subscription": ("Id", "Key", "Name", "PrimaryKey", "SecondaryKey", "StartDate", "EndDate", "CreatedDate"),
    "LastError": ("Source", "Reason", "Message", "Scope", "Section", "Path", "PolicyId"),
    "Deployment": ("Region", "ServiceName", "ServiceId", "GatewayId"),
}


class CsContext(CsObject):
    def __init__(self, ex: Exchange):
        self.ex = ex

    def _route(self, kind):
        route = self.ex.route
        return None if route is None else getattr(route, kind)

    def _api(self):
        api = self._route("api")
        return None if api is None else CsNamed({
            "Id": f"/apis/{api.name}", "Name": api.name, "Path": api.path, "Version": None, "Revision": "1",
            "IsCurrentRevision": True, "ServiceUrl": CsUrl(api.backend_url or ""), "Protocols": ["https"]})

    def _operation(self):
        op = self._route("operation")
        return None if op is None else CsNamed({"Id": op.name, "Name": op.name, "Method": op.method,
                                                "UrlTemplate": op.url_template})

    def _product(self):
        p = self.ex.product
        return None if p is None else CsNamed({
            "Id": f"/products/{p.name}", "Name": p.name, "State": "Published", "SubscriptionRequired": True,
            "ApprovalRequired": False, "SubscriptionsLimit": None, "Groups": [], "Apis": list(p.apis)})

    def _subscription(self):
        s = self.ex.subscription
        return None if s is None else CsNamed({
            "Id": s.name, "Key": self.ex.subscription_key, "Name": s.name, "PrimaryKey": s.primary_key,
            "SecondaryKey": s.secondary_key, "StartDate": None, "EndDate": None, "CreatedDate": None})

    def _last_error(self):
        e = self.ex.last_error
        return None if e is None else CsNamed({
            "Source": e.source, "Reason": e.reason, "Message": getattr(e, "detail", e.message),
            "Scope": getattr(e, "scope", None), "Section": getattr(e, "section", None), "Path": None,
            "PolicyId": None})

    MEMBERS = {
        "Request": lambda self: CsRequest(self.ex),
        "Response": lambda self: CsResponse(self.ex),
        "Variables": lambda self: CsVariables(self.ex.variables),
        "Subscription": _subscription,
        "Api": _api,
        "Operation": _operation,
        "Product": _product,
        "LastError": _last_error,
        "RequestId": lambda self: self.ex.request_id,
        "Timestamp": lambda self: self.ex.timestamp,
        "Elapsed": lambda self: __import__("datetime").timedelta(seconds=time.perf_counter() - self.ex.started),
        "Deployment": lambda self: CsNamed({"Region": "local", "ServiceName": "apim-emulator",
                                            "ServiceId": "apim-emulator", "GatewayId": "local"}),
        "User": lambda self: None,
        "Tracing": lambda self: False,
    }


def split_base(url: str) -> tuple:
    """(base, query) of a backend URL given with a query (``https://func/api/x?code=...``): the query is what the
    backend itself needs, kept apart so the relative path goes before it."""
    from urllib.parse import parse_qsl

    base, _, query = (url or "").partition("?")
    return base, dict(parse_qsl(query, keep_blank_values=True))


def backend_url(state: RequestState, with_backend_query: bool = False) -> str:
    """The URL the backend receives: its base, the (rewritten) relative path and the query."""
    from urllib.parse import urlencode

    pairs = list(state.query.items())
    if with_backend_query and state.backend_query:
        pairs = [(k, v) for k, v in pairs if k not in state.backend_query] + list(state.backend_query.items())
    query = urlencode(pairs, safe="/:")
    return f"{state.backend_base.rstrip('/')}{state.path}" + (f"?{query}" if query else "")


def known_members() -> set:
    names = set()
    for cls in _all_subclasses(CsObject):
        names |= set(cls.MEMBERS)
    for members in NAMED_MEMBERS.values():
        names |= set(members)
    return names | {"Length", "Count", "Year", "Month", "Day", "Hour", "Minute", "Second", "Ticks",
                    "TotalSeconds", "TotalMilliseconds", "Seconds", "Milliseconds"}


def known_methods() -> set:
    from .csharp import JARRAY_METHODS, JOBJECT_METHODS, SEQUENCE_METHODS, STRING_METHODS

    names = {"ToString", "Equals", "GetHashCode"} | set(STRING_METHODS) | set(SEQUENCE_METHODS) | set(
        JOBJECT_METHODS) | set(JARRAY_METHODS)
    for cls in _all_subclasses(CsObject):
        names |= set(cls.METHODS)
    return names


def _all_subclasses(cls) -> list:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


__all__ = ["Exchange", "RequestState", "ResponseState", "Named", "backend_url", "to_string"]
