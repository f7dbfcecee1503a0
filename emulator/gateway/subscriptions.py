"""Subscription keys: read from the API's header (``Ocp-Apim-Subscription-Key``) or query (``subscription-key``)
parameter, matched in constant time against every subscription whose scope covers the API (spec §11). As in
APIM's table "how API Management handles requests with or without subscription keys", an API that needs no
subscription still refuses a key that is invalid, suspended or not scoped to it; without a key the call goes on."""

from __future__ import annotations

import hmac

from .errors import PolicyError

MSG_MISSING = ("Access denied due to missing subscription key. Make sure to include subscription key when making "
               "requests to an API.")
MSG_INVALID = ("Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
               "subscription.")


class Subscriptions:
    def __init__(self, subscriptions, products):
        self.subscriptions = list(subscriptions)
        self.products = {p.name.lower(): p for p in products}

    def _covers(self, sub, api_name: str):
        """(covers, product): whether ``sub``'s scope includes the API, and the product it came through."""
        parts = [p for p in sub.scope.split("/") if p]
        if not parts or parts[-1].lower() == "apis":  # "/" or APIM's own "/apis": every API
            return True, None
        kind, target = parts[-2].lower(), parts[-1].lower()
        if kind == "apis":
            return target == api_name.lower(), None
        product = self.products.get(target)
        return (product is not None and api_name.lower() in product.apis), product

    def find(self, key: str, api_name: str):
        """(subscription, product) owning ``key`` for the API, or (None, None). Every key is compared."""
        found = (None, None)
        given = key.encode("utf-8")
        for sub in self.subscriptions:
            hit = False
            for candidate in (sub.primary_key, sub.secondary_key):
                if candidate is not None and hmac.compare_digest(given, candidate.encode("utf-8")):
                    hit = True
            if hit and found[0] is None:
                covers, product = self._covers(sub, api_name)
                if covers:
                    found = (sub, product)
        return found

    def authenticate(self, ex, api) -> None:
        """Set ``ex.subscription``/``ex.product``; raise APIM's 401 when the API needs a key and has none."""
        request = ex.request
        key = request.headers.get(api.header)
        if key is None:
            key = request.query.get(api.query)
        if not key:
            if api.subscription_required:
                raise PolicyError("subscription", "SubscriptionKeyNotFound", 401, MSG_MISSING)
            return
        sub, product = self.find(key, api.name)
        if sub is None or not sub.active:  # a key that is given must be valid, subscription required or not
            raise PolicyError("subscription", "SubscriptionKeyInvalid", 401, MSG_INVALID)
        ex.subscription, ex.subscription_key, ex.product = sub, key, product
