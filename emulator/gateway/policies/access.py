"""Access policies: ``check-header`` and ``ip-filter`` (answers as spec §11)."""

from __future__ import annotations

import ipaddress

from ..errors import PolicyError
from ..policy import Policy, policy


@policy("check-header", sections=("inbound",))
class CheckHeader(Policy):
    attributes = frozenset({"name", "failed-check-httpcode", "failed-check-error-message", "ignore-case"})
    children = frozenset({"value"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.name = loader.value(node, "name", required=True)
        self.status = loader.value(node, "failed-check-httpcode", required=True)
        self.message = loader.value(node, "failed-check-error-message", required=True)
        self.ignore_case = loader.value(node, "ignore-case", default="false")
        self.values = [loader.text(v) for v in node.elements("value")]

    async def run(self, ex) -> None:
        name = self.name.text(ex)
        present = ex.request.headers.getall(name, [])
        if not present:
            raise self._fail(ex, "HeaderNotFound")
        if not self.values:
            return
        fold = self.ignore_case.text(ex).strip().lower() == "true"
        allowed = {v.text(ex).lower() if fold else v.text(ex) for v in self.values}
        actual = [p.strip() for value in present for p in value.split(",")] + list(present)
        if not any((a.lower() if fold else a) in allowed for a in actual):
            raise self._fail(ex, "HeaderValueNotAllowed")

    def _fail(self, ex, reason: str) -> PolicyError:
        try:
            status = int(self.status.text(ex))
        except ValueError:
            status = 401
        return PolicyError(self.element, reason, status, self.message.text(ex))


@policy("ip-filter", sections=("inbound",))
class IpFilter(Policy):
    """``action`` and ``address`` may be policy expressions (evaluated per call); ``address-range`` is static."""

    attributes = frozenset({"action"})
    children = frozenset({"address", "address-range"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if "action" not in node.attrs:
            raise node.error("the attribute 'action' is required")
        self.action = loader.value(node, "action")
        if self.action.is_constant:
            loader.choice(node, "action", ("allow", "forbid"))
        self.ranges, self.dynamic = [], []
        for child in node.children:
            try:
                if child.tag == "address" and child.text.strip().startswith("@"):
                    self.dynamic.append(loader.text(child))
                elif child.tag == "address":
                    address = ipaddress.ip_address(child.text.strip())
                    self.ranges.append((address, address))
                else:
                    loader.check(child, {"from", "to"}, ())
                    low = ipaddress.ip_address(child.attrs.get("from", "").strip())
                    high = ipaddress.ip_address(child.attrs.get("to", "").strip())
                    self.ranges.append((low, high))
            except ValueError as exc:
                raise child.error(f"not an IP address: {exc}") from None

    def matches(self, ip: str, extra=()) -> bool:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(low.version == address.version and low <= address <= high
                   for low, high in [*self.ranges, *extra])

    async def run(self, ex) -> None:
        extra = []
        for value in self.dynamic:
            try:
                address = ipaddress.ip_address(value.text(ex).strip())
            except ValueError:
                continue  # an expression that gives no address matches nothing
            extra.append((address, address))
        action = self.action.text(ex).strip().lower()
        if action not in ("allow", "forbid"):
            raise PolicyError(self.element, "ExpressionValueEvaluationFailure", 500, "Internal server error")
        if self.matches(ex.request.ip, extra) != (action == "allow"):
            raise PolicyError(self.element, "CallerIpNotAllowed", 403, "Forbidden")
