"""The gateway configuration's backends, as far as the audit needs them (issue 12's fields).

Reads only ``apis[].name`` and ``apis[].backend = {"workflow", "trigger", "gatewayOnly"}`` from the JSON
file given to ``--gateway``. To be replaced by the gateway's own loader (``emulator/gateway``) once it lands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class GatewayFileError(Exception):
    pass


@dataclass(frozen=True)
class Backend:
    file: str
    path: str            # JSON path of the backend object in the gateway file: apis[0].backend
    api: str
    workflow: str
    trigger: str | None
    gateway_only: bool
    has_flag: bool       # gatewayOnly written (true or false)


def read_backends(path) -> list[Backend]:
    """Every API whose backend is a workflow. Raises :class:`GatewayFileError` for an unreadable file."""
    file = Path(path)
    if file.is_dir():  # an APIOps folder, as `serve --gateway` takes it: workflow backends are in its gateway.json
        file = file / "gateway.json"
        if not file.is_file():
            return []
    try:
        config = json.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise GatewayFileError(f"{file}: the gateway configuration could not be read: {exc}") from None
    apis = config.get("apis") if isinstance(config, dict) else None
    if not isinstance(apis, list):
        raise GatewayFileError(f"{file}: the gateway configuration has no 'apis' array")
    found = []
    for i, api in enumerate(apis):
        backend = api.get("backend") if isinstance(api, dict) else None
        if not isinstance(backend, dict) or not isinstance(backend.get("workflow"), str):
            continue
        trigger = backend.get("trigger")
        found.append(Backend(str(file), f"apis[{i}].backend", str(api.get("name", "")), backend["workflow"],
                             trigger if isinstance(trigger, str) else None, backend.get("gatewayOnly") is True,
                             "gatewayOnly" in backend))
    return found
