"""Per-workflow caller restrictions: a generic hook the CLI wiring configures (e.g. the gateway's ``gatewayOnly``).

A restricted workflow's trigger answers every caller as a caller outside its allowed caller IP ranges
(``AuthorizationFailed``, spec §4) unless the call carries the restriction's secret in :data:`PROOF_HEADER`,
compared in constant time. The header is removed before the call is checked further and never reaches the
trigger outputs or a log line, whether or not the workflow is restricted.
"""

from __future__ import annotations

import hmac

from multidict import CIMultiDict

from .access import MSG_IP
from .errors import HttpError

PROOF_HEADER = "X-Emulator-Caller-Proof"


class CallerRestriction:
    def __init__(self, secret: str):
        self._secret = secret.encode("utf-8")

    def admits(self, proof: str | None) -> bool:
        return proof is not None and hmac.compare_digest(proof.encode("utf-8"), self._secret)


def restrict(server, workflow: str, secret: str) -> None:
    """Only callers proving ``secret`` may call ``workflow``'s triggers on ``server``."""
    server.callers[workflow.lower()] = CallerRestriction(secret)


def check(server, entry, headers, caller):
    """(HttpError or None, the headers without the proof). ``caller()`` gives the client address."""
    proof = headers.get(PROOF_HEADER)
    if proof is not None:
        headers = CIMultiDict(headers)
        headers.popall(PROOF_HEADER)
    restriction = server.callers.get(entry.name.lower()) if server.callers else None
    if restriction is None or restriction.admits(proof):
        return None, headers
    return HttpError(401, "AuthorizationFailed", MSG_IP.format(ip=caller())), headers
