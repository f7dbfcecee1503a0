"""Rate limits and quotas: ``rate-limit``, ``rate-limit-by-key``, ``quota``, ``quota-by-key``.

``rate-limit``/``quota`` count per subscription (and per API / operation with ``<api>``/``<operation>``
children); the ``-by-key`` forms count per ``counter-key`` value, one counter for every scope that uses the
key (APIM's rule). Answers: 429 with ``Retry-After`` and 403 "Out of call volume quota" (spec §11).
"""

from __future__ import annotations

from datetime import datetime

from ..counters import counter_key, replenished_in, retry_seconds
from ..csharp import truthy
from ..errors import PolicyError
from ..policy import Policy, policy

_RATE_COMMON = frozenset({"calls", "renewal-period", "retry-after-header-name", "retry-after-variable-name",
                          "remaining-calls-header-name", "remaining-calls-variable-name",
                          "total-calls-header-name"})


class _Counted(Policy):
    kind = ""

    def _limits(self, node, loader, required_calls=True):
        self.calls = loader.number(node, "calls", required=required_calls and "bandwidth" not in node.attrs)
        self.period = loader.number(node, "renewal-period", required=True)
        if self.period is not None and self.period < 0:
            raise node.error("renewal-period must not be negative")

    def _keyed_limits(self, node, loader):
        """The -by-key forms: ``calls``, ``renewal-period`` (and ``bandwidth``) may be policy expressions."""
        self.calls_value = loader.integer(node, "calls", required="bandwidth" not in node.attrs)
        self.period_value = loader.integer(node, "renewal-period", required=True)
        self.bandwidth_value = loader.integer(node, "bandwidth")

    def _by_key(self, node, loader):
        self._keyed_limits(node, loader)
        self.key = loader.value(node, "counter-key", required=True)
        self.condition = loader.value(node, "increment-condition")
        self.count = loader.integer(node, "increment-count", default=1)

    def _settle_later(self, ex, key, amount) -> None:
        """With ``increment-condition``: the unit taken now is given back unless the condition holds once the
        answer is known (taking first keeps concurrent calls exact)."""
        if self.condition is not None:
            ex.after.append(lambda: self._settle(ex, key, amount))

    async def _settle(self, ex, key, amount) -> None:
        if not truthy(self.condition.evaluate(ex)):
            await self.counters(ex).give_back(key, amount)

    @property
    def where(self) -> str:
        """The policy's place in the configuration (file and line): the same in every worker process."""
        return f"{self.node.file}:{self.node.line}"

    def _keyed(self, ex):
        calls = self.calls_value.get(ex) if self.calls_value is not None else None
        bandwidth = self.bandwidth_value.get(ex) if self.bandwidth_value is not None else None
        return calls, max(0, self.period_value.get(ex)), bandwidth

    def counters(self, ex):
        return ex.gateway.counters

    def _refuse_rate(self, ex, left):
        seconds = retry_seconds(left)
        # retry-after-header-name replaces the default Retry-After (APIM's policy reference)
        headers = {self.node.attrs.get("retry-after-header-name") or "Retry-After": str(seconds)}
        var = self.node.attrs.get("retry-after-variable-name")
        if var:
            ex.variables[var] = seconds
        return PolicyError(self.element, "RateLimitExceeded", 429,
                           f"Rate limit is exceeded. Try again in {seconds} seconds.", headers)

    def _report(self, ex, remaining, total):
        attrs = self.node.attrs
        if attrs.get("remaining-calls-header-name"):
            ex.extra_headers[attrs["remaining-calls-header-name"]] = str(remaining)
        if attrs.get("remaining-calls-variable-name"):
            ex.variables[attrs["remaining-calls-variable-name"]] = remaining
        if attrs.get("total-calls-header-name"):
            ex.extra_headers[attrs["total-calls-header-name"]] = str(total)


def _scoped(node, loader, route_names):
    """``<api name|id calls renewal-period><operation .../></api>`` children of rate-limit and quota."""
    out = []
    for api in node.elements("api"):
        loader.check(api, {"name", "id", "calls", "renewal-period", "bandwidth"}, {"operation"})
        ops = []
        for op in api.elements("operation"):
            loader.check(op, {"name", "id", "calls", "renewal-period", "bandwidth"}, ())
            ops.append((op.attrs.get("name") or op.attrs.get("id"), loader.number(op, "calls"),
                        loader.number(op, "renewal-period"), loader.number(op, "bandwidth")))
        out.append((api.attrs.get("name") or api.attrs.get("id"), loader.number(api, "calls"),
                    loader.number(api, "renewal-period"), loader.number(api, "bandwidth"), ops))
    return out


def _subscription_key(ex):
    return ex.subscription.name if ex.subscription is not None else f"ip:{ex.request.ip}"


def _scoped_limits(ex, scoped):
    """(key suffix, calls, period, bandwidth) for the matched API and operation, from the children."""
    route = ex.route
    out = []
    for api_name, calls, period, bandwidth, ops in scoped:
        if route is None or api_name != route.api.name:
            continue
        if calls is not None or bandwidth is not None:
            out.append((("api", api_name), calls, period, bandwidth))
        for op_name, op_calls, op_period, op_bandwidth in ops:
            if route.operation is not None and op_name == route.operation.name:
                out.append((("api", api_name, "op", op_name), op_calls, op_period, op_bandwidth))
    return out


@policy("rate-limit", sections=("inbound",))
class RateLimit(_Counted):
    attributes = _RATE_COMMON
    children = frozenset({"api"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self._limits(node, loader)
        self.scoped = _scoped(node, loader, None)

    async def run(self, ex) -> None:
        who = _subscription_key(ex)
        counters = self.counters(ex)
        checks = [((), self.calls, self.period)] + [(k, c, p or self.period) for k, c, p, _ in
                                                     _scoped_limits(ex, self.scoped) if c is not None]
        taken = []
        for suffix, calls, period in checks:
            key = counter_key("rate-limit", self.where, who, *suffix)
            got = await counters.take(key, calls, period)
            if not got.allowed:
                for done in taken:
                    await counters.give_back(done)
                raise self._refuse_rate(ex, got.seconds_left)
            taken.append(key)
            if not suffix:
                self._report(ex, got.remaining, calls)


@policy("rate-limit-by-key", sections=("inbound",))
class RateLimitByKey(_Counted):
    attributes = _RATE_COMMON | {"counter-key", "increment-condition", "increment-count"}
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self._by_key(node, loader)

    async def run(self, ex) -> None:
        key = counter_key("rate-limit-by-key", self.key.text(ex))
        amount = self.count.get(ex)
        calls, period, _ = self._keyed(ex)
        got = await self.counters(ex).take(key, calls, period, amount)
        if not got.allowed:
            raise self._refuse_rate(ex, got.seconds_left)
        self._report(ex, got.remaining, calls)
        self._settle_later(ex, key, amount)


class _Quota(_Counted):
    async def _check(self, ex, key, calls, period, bandwidth, anchor=None, amount=1):
        counters = self.counters(ex)
        if bandwidth is not None:
            win = await counters.window(key, period, anchor)
            if win.kilobytes >= bandwidth:
                left = win.seconds_left
                raise PolicyError(self.element, "QuotaExceeded", 403,
                                  f"Out of bandwidth quota. Quota will be replenished in {replenished_in(left)}.",
                                  headers=_retry_after(left))
        if calls is not None:
            got = await counters.take(key, calls, period, amount, anchor)
            if not got.allowed:
                raise PolicyError(self.element, "QuotaExceeded", 403, "Out of call volume quota. Quota will be "
                                  f"replenished in {replenished_in(got.seconds_left)}.",
                                  headers=_retry_after(got.seconds_left))
        if bandwidth is not None:
            ex.after.append(lambda: _add_bytes(counters, key, ex))


def _retry_after(left: float) -> dict:
    """A refused quota carries ``Retry-After`` in seconds (the quota and quota-by-key reference pages)."""
    seconds = retry_seconds(left)
    return {"Retry-After": str(seconds)} if seconds else {}


async def _add_bytes(counters, key, ex):
    await counters.add_kilobytes(key, (len(ex.request.body or b"") + len(ex.response.body or b"")) / 1024)


@policy("quota", sections=("inbound",))
class Quota(_Quota):
    attributes = frozenset({"calls", "bandwidth", "renewal-period"})
    children = frozenset({"api"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self._limits(node, loader)
        self.bandwidth = loader.number(node, "bandwidth")
        self.scoped = _scoped(node, loader, None)

    async def run(self, ex) -> None:
        who = _subscription_key(ex)
        await self._check(ex, counter_key("quota", self.where, who), self.calls, self.period, self.bandwidth)
        for suffix, calls, period, bandwidth in _scoped_limits(ex, self.scoped):
            await self._check(ex, counter_key("quota", self.where, who, *suffix), calls, period or self.period,
                              bandwidth)


@policy("quota-by-key", sections=("inbound",))
class QuotaByKey(_Quota):
    attributes = frozenset({"calls", "bandwidth", "renewal-period", "counter-key", "increment-condition",
                            "increment-count", "first-period-start"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self._by_key(node, loader)
        start = node.attrs.get("first-period-start")
        try:
            self.anchor = datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp() if start else None
        except ValueError:
            raise node.error(f"first-period-start '{start}' is not a date and time") from None

    async def run(self, ex) -> None:
        key = counter_key("quota-by-key", self.key.text(ex))
        calls, period, bandwidth = self._keyed(ex)
        amount = self.count.get(ex)
        await self._check(ex, key, calls, period, bandwidth, self.anchor, amount)
        if calls is not None:
            self._settle_later(ex, key, amount)
