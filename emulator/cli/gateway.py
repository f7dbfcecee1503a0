"""``serve --gateway FILE`` and ``validate --gateway FILE``: the offline API Management gateway (docs/gateway.md)."""

from __future__ import annotations

import sys


def load_or_report(path, main_app, secret: str | None = None):
    """The gateway for the server in ``main_app``, wired in (``GET /gateway``, gatewayOnly); None after printing
    the load error (file, line, element)."""
    from ..gateway import GatewayLoadError
    from ..gateway import app as gateway_app
    from ..server.app import SERVER

    try:
        gateway = gateway_app.load(path, main_app[SERVER])
    except GatewayLoadError as exc:
        print(f"serve: the gateway configuration does not load: {exc}", file=sys.stderr)
        return None
    if secret is not None:  # serve --workers: one proof for the gateways of every worker
        gateway.secret = secret
    gateway.reload_interval = main_app[SERVER].config.reload_interval  # --reload-interval: 0 turns it off
    gateway_app.attach(main_app, gateway)
    return gateway


async def start_gateway(gateway, host: str, port: int, main_port: int, sock=None, show_banner: bool = True):
    """Start the gateway's own listener (on ``sock`` when given: serve --workers); the runner, or None after
    printing why it could not listen."""
    from aiohttp import web

    from ..gateway import app as gateway_app

    gateway.main_base = f"http://127.0.0.1:{main_port}"
    runner = gateway_app.make_runner(gateway)
    await runner.setup()
    site = web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        print(f"serve: the gateway cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        await runner.cleanup()
        return None
    bound = sock.getsockname()[1] if sock is not None else runner.addresses[0][1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    apis = ", ".join(f"/{a.path}" for a in gateway.config.apis) or "no APIs"
    if show_banner:
        print(f"API Management gateway on http://{shown}:{bound} ({apis}); configuration at "
              f"http://127.0.0.1:{main_port}/gateway", flush=True)
    return runner


def validate(path, flow_paths) -> int:
    """``validate --gateway FILE [PATH...]``: load the configuration against the flows in ``flow_paths``."""
    from ..definitions import load_path
    from ..gateway import GatewayLoadError
    from ..gateway import config as gateway_config
    from ..runtime.actions.registry import lookup

    triggers: dict = {}
    for raw in flow_paths:
        for wf in load_path(raw, action_types=lookup).workflows:
            triggers[wf.name.lower()] = {
                name.lower(): str((getattr(t, "raw", None) or {}).get("type", "")).lower() == "request"
                for name, t in (wf.triggers or {}).items()}

    def check(workflow, trigger):
        found = triggers.get(workflow.lower())
        if found is None:
            return f"the backend names the workflow '{workflow}', which is not loaded"
        requests = [n for n, is_request in found.items() if is_request]
        if trigger is None:
            return None if len(requests) == 1 or "manual" in requests else \
                f"the workflow '{workflow}' has no Request trigger (one Request trigger, or 'manual')"
        return None if trigger.lower() in requests else f"the workflow '{workflow}' has no Request trigger '{trigger}'"

    try:
        cfg = gateway_config.load(path, check)
    except GatewayLoadError as exc:
        print(f"FAIL {exc}")
        return 1
    print(f"ok {path}: {len(cfg.apis)} API(s), {sum(len(a.operations) for a in cfg.apis)} operation(s), "
          f"{len(cfg.products)} product(s), {len(cfg.subscriptions)} subscription(s)")
    return 0
