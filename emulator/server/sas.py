"""Shared Access Signatures: per-workflow keys, signing callback URLs and checking them.

String to sign (the host's is unpublished; spec §2 only requires that any change invalidates it)::

    "<workflowId>\\n<sp>\\n<sv>\\n<se>"        (se = "" when the URL does not expire)

``sig = base64url(HMAC_SHA256(key, string_to_sign))`` without padding: 43 characters, as on the host.
``workflowId`` is the 32-hex id (so a URL signed for one workflow never opens another), ``sp`` the
decoded permission list (``/triggers/<name>/run``), ``sv`` is ``1.0``.

Keys: a primary and a secondary key per workflow. Resolution order: a key regenerated through the
management API (persisted in ``<state-dir>/keys.json``), else one derived from a master secret given by
``--sas-key`` or ``LOGICAPPS_SAS_KEY`` (``HMAC(master, "<workflow>:<keyType>")``, stable across
machines), else a random key created once and persisted in ``keys.json`` (stable across restarts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from ..runtime.clock import iso
from .errors import HttpError

KEY_TYPES = ("primary", "secondary")
SAS_VERSION = "1.0"

AUTH_REQUIRED = ("DirectApiAuthorizationRequired",
                 "The request must be authenticated only by Shared Access scheme.")
INVALID_SIGNATURE = ("DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid.")
EXPIRED_SIGNATURE = ("DirectApiInvalidAuthorizationSignature", "The provided authorization signature has expired.")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def string_to_sign(workflow_id: str, sp: str, sv: str, se: str = "") -> str:
    return f"{workflow_id}\n{sp}\n{sv}\n{se}"


def sign(key: str, workflow_id: str, sp: str, sv: str = SAS_VERSION, se: str = "") -> str:
    digest = hmac.new(key.encode("utf-8"), string_to_sign(workflow_id, sp, sv, se).encode("utf-8"),
                      hashlib.sha256).digest()
    return b64url(digest)


def format_expiry(when: datetime) -> str:
    """``se`` in the host's ``DateTime`` round-trip form: ``2017-03-05T08:00:00.0000000Z``."""
    return iso(when.astimezone(timezone.utc))


def parse_expiry(text: str) -> datetime | None:
    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    if "." in value:  # .NET writes 7 fractional digits; Python takes at most 6
        head, _, tail = value.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        rest = tail[len(digits):]
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def run_permission(trigger: str) -> str:
    return f"/triggers/{trigger}/run"


def versioned_permission(version: str, trigger: str) -> str:
    """The ``sp`` of a versioned trigger URL (listCallbackUrl on a workflow version, spec §1.1)."""
    return f"/versions/{version}{run_permission(trigger)}"


class KeyStore:
    """Primary/secondary keys per workflow name (see the module docstring for where they come from)."""

    def __init__(self, state_dir: str | Path | None = None, master: str | None = None):
        self.path = Path(state_dir) / "keys.json" if state_dir else None
        self.master = master if master is not None else os.environ.get("LOGICAPPS_SAS_KEY") or None
        self._keys: dict[str, dict] = {}
        self._signers: dict[str, tuple] = {}
        self._expected: dict[tuple, tuple] = {}
        if self.path and self.path.is_file():
            try:
                self._keys = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._keys = {}

    def _save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._keys, indent=2, sort_keys=True), encoding="utf-8")
        try:
            os.chmod(tmp, 0o600)
        except OSError:
            pass
        tmp.replace(self.path)

    def key(self, workflow: str, key_type: str = "primary") -> str:
        key_type = key_type.lower()
        entry = self._keys.setdefault(workflow.lower(), {})
        regenerated = entry.get("regenerated", {})
        if key_type in regenerated:
            return regenerated[key_type]
        if self.master:
            return b64url(hmac.new(self.master.encode("utf-8"), f"{workflow.lower()}:{key_type}".encode(),
                                   hashlib.sha256).digest())
        generated = entry.setdefault("generated", {})
        if key_type not in generated:
            generated[key_type] = b64url(secrets.token_bytes(32))
            self._save()
        return generated[key_type]

    def keys(self, workflow: str) -> list[str]:
        return [self.key(workflow, kind) for kind in KEY_TYPES]

    def signers(self, workflow: str) -> tuple:
        """One keyed HMAC-SHA256 per key of the workflow, to ``copy()`` and feed a string to sign.

        The signatures themselves are cached by :meth:`expected`.
        """
        name = workflow.lower()
        found = self._signers.get(name)
        if found is None:
            found = tuple(hmac.new(k.encode("utf-8"), digestmod=hashlib.sha256) for k in self.keys(workflow))
            self._signers[name] = found
        return found

    def expected(self, workflow: str, message: bytes) -> tuple:
        """The valid ``sig`` values (primary key first) for a string to sign, as ASCII bytes.

        A callback URL is called again and again with the same ``sp``/``sv``/``se``: its signatures are
        computed once and kept (at most 1,024 strings to sign; the keys are in memory anyway). Requests
        still compare in constant time against them.
        """
        cache_key = (workflow.lower(), message)
        found = self._expected.get(cache_key)
        if found is None:
            found = []
            for signer in self.signers(workflow):
                mac = signer.copy()
                mac.update(message)
                found.append(base64.urlsafe_b64encode(mac.digest()).rstrip(b"="))
            found = tuple(found)
            if len(self._expected) >= 1024:
                self._expected.clear()
            self._expected[cache_key] = found
        return found

    def regenerate(self, workflow: str, key_type: str = "primary") -> None:
        self._signers.clear()
        self._expected.clear()
        entry = self._keys.setdefault(workflow.lower(), {})
        entry.setdefault("regenerated", {})[key_type.lower()] = b64url(secrets.token_bytes(32))
        self._save()


def normalize_key_type(value) -> str | None:
    if value is None:
        return "primary"
    if isinstance(value, str) and value.lower() in KEY_TYPES:
        return value.lower()
    return None


def signed_query(store: KeyStore, workflow_name: str, workflow_id: str, permission: str, api_version: str,
                 key_type: str = "primary", not_after: datetime | None = None) -> dict:
    """The ``queries`` of a callback URL, in the host's order: api-version, sp, sv, sig (then se)."""
    se = format_expiry(not_after) if not_after else ""
    query = {"api-version": api_version, "sp": permission, "sv": SAS_VERSION}
    query["sig"] = sign(store.key(workflow_name, key_type), workflow_id, permission, SAS_VERSION, se)
    if se:
        query["se"] = se
    return query


def encode_query(query: dict) -> str:
    return "&".join(f"{quote(k, safe='-')}={quote(str(v), safe='-._~')}" for k, v in query.items())


def check(store: KeyStore, workflow_name: str, workflow_id: str, query, permission: str,
          now: datetime | None = None) -> HttpError | None:
    """Check the SAS parameters of a request (``query``: a mapping of decoded values)."""
    sig = query.get("sig")
    if sig is None:
        return HttpError(401, *AUTH_REQUIRED)
    sp = query.get("sp", "")
    sv = query.get("sv", "")
    se = query.get("se", "")
    given = sig.encode("utf-8", "surrogateescape")
    message = f"{workflow_id}\n{sp}\n{sv}\n{se}".encode("utf-8", "surrogateescape")  # string_to_sign()
    for expected in store.expected(workflow_name, message):  # the primary key, then the secondary one
        if hmac.compare_digest(expected, given):
            break
    else:
        return HttpError(401, *INVALID_SIGNATURE)
    if sp != permission and permission.lower() not in [p.strip().lower() for p in sp.split(",")]:
        return HttpError(401, *INVALID_SIGNATURE)
    if se:
        expiry = parse_expiry(se)
        if expiry is None or expiry <= (now or datetime.now(timezone.utc)):
            return HttpError(401, *EXPIRED_SIGNATURE)
    return None
