"""``cors``: preflight answers and the ``Access-Control-*`` headers of cross-origin calls.

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered by the gateway
(200, never forwarded): only the cors policies in scope run, and when none matches the answer is an empty 200.
An unmatched ``GET``/``HEAD`` with ``terminate-unmatched-request`` (default true) gets an empty 200; other
calls go on without CORS headers. Without ``<allowed-methods>``, GET and POST are allowed.
"""

from __future__ import annotations

from ..errors import Answer
from ..policy import Policy, policy


@policy("cors", sections=("inbound",))
class Cors(Policy):
    attributes = frozenset({"allow-credentials", "terminate-unmatched-request"})
    children = frozenset({"allowed-origins", "allowed-methods", "allowed-headers", "expose-headers"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.credentials = _constant_flag(node, loader, "allow-credentials", False)
        self.terminate = _constant_flag(node, loader, "terminate-unmatched-request", True)
        self.origins = self._list(node, loader, "allowed-origins", "origin")
        if not node.child("allowed-origins"):
            raise node.error("<allowed-origins> is required")
        # Without <allowed-methods>, GET and POST are allowed (APIM's default).
        self.methods = [m.upper() for m in self._list(node, loader, "allowed-methods", "method")] or ["GET", "POST"]
        self.max_age = None
        methods = node.child("allowed-methods")
        if methods is not None:
            self.max_age = loader.number(methods, "preflight-result-max-age")
        self.headers = [h.lower() for h in self._list(node, loader, "allowed-headers", "header")]
        self.expose = self._list(node, loader, "expose-headers", "header")
        if self.credentials and "*" in self.origins:
            raise node.error("allow-credentials cannot be true when an allowed origin is '*'")

    @staticmethod
    def _list(node, loader, group_tag, item_tag) -> list:
        group = node.child(group_tag)
        if group is None:
            return []
        loader.check(group, {"preflight-result-max-age"} if group_tag == "allowed-methods" else (), {item_tag})
        return [item.text.strip() for item in group.elements(item_tag)]

    def _origin_ok(self, origin: str) -> bool:
        return "*" in self.origins or origin in self.origins

    def _allow_origin(self, origin: str) -> str:
        return "*" if "*" in self.origins and not self.credentials else origin

    async def run(self, ex) -> None:
        request = ex.request
        origin = request.headers.get("Origin")
        if not origin:
            return
        wanted_method = request.headers.get("Access-Control-Request-Method")
        if request.method == "OPTIONS" and wanted_method:
            await self._preflight(ex, origin, wanted_method.upper())
            return
        if not self._origin_ok(origin):
            if self.terminate and request.method in ("GET", "HEAD"):
                self._empty(ex)
            return
        ex.extra_headers["Access-Control-Allow-Origin"] = self._allow_origin(origin)
        if self.credentials:
            ex.extra_headers["Access-Control-Allow-Credentials"] = "true"
        if self.expose:
            ex.extra_headers["Access-Control-Expose-Headers"] = ",".join(self.expose)
        if "*" not in self.origins or self.credentials:
            ex.extra_headers["Vary"] = "Origin"

    async def _preflight(self, ex, origin, method):
        requested = [h.strip().lower() for h in ex.request.headers.get("Access-Control-Request-Headers", "").split(",")
                     if h.strip()]
        methods_ok = "*" in self.methods or method in self.methods
        headers_ok = "*" in self.headers or all(h in self.headers for h in requested)
        if not (self._origin_ok(origin) and methods_ok and headers_ok):
            if self.terminate:
                self._empty(ex)
            return
        response = ex.response
        response.status, response.reason, response.body = 200, "OK", b""
        response.headers.clear()
        response.headers["Access-Control-Allow-Origin"] = self._allow_origin(origin)
        if self.credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Methods"] = method if "*" in self.methods else ",".join(self.methods)
        if requested:
            response.headers["Access-Control-Allow-Headers"] = ",".join(requested)
        if self.max_age is not None:
            response.headers["Access-Control-Max-Age"] = str(self.max_age)
        raise Answer(self.element)

    def _empty(self, ex):
        ex.response.status, ex.response.reason, ex.response.body = 200, "OK", b""
        ex.response.headers.clear()
        raise Answer(self.element)


def _constant_flag(node, loader, attr, default) -> bool:
    """A true/false attribute; an expression there (APIM allows one) is a load error naming it."""
    text = node.attrs.get(attr)
    if text is not None and text.strip().startswith("@"):
        raise node.error(f"an expression in '{attr}' is not supported; use true or false")
    return loader.flag(node, attr, default)
