"""An offline Azure API Management gateway in front of the emulator's flows (docs/gateway.md).

Layers: cli -> gateway -> server. ``config`` loads the JSON file (and ``apiops`` an extractor folder), ``xml`` +
``policy`` build the policy tree (one module per family under ``policies/``), ``expressions`` compiles
``@(...)``/``@{...}`` with ``grammar/apim.lark``, ``routing`` + ``subscriptions`` + ``app`` answer calls.
"""

from .errors import GatewayLoadError

__all__ = ["GatewayLoadError"]
