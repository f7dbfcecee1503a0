"""``python -m emulator serve [PATH...]``: serve workflows over HTTP as Logic Apps does (docs/server.md)."""

from __future__ import annotations

import os
import sys

from .limit_args import add_limit_args, limits_from
from .main import EXTENSIONS, command


def _add(sub):
    p = sub.add_parser("serve", help="serve workflows' HTTP triggers with real callback URLs and SAS")
    p.add_argument("paths", nargs="*", default=["flows"], metavar="PATH",
                   help="workflow files or folders (default: flows/)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7071)
    p.add_argument("--state-dir", default=".state", help="keys and SQLite history live here (default .state/)")
    p.add_argument("--auth", choices=("sas", "none"), default="sas", help="'none' turns SAS checks off (loudly)")
    p.add_argument("--sas-key", default=None,
                   help="master secret the workflow keys derive from (default: $LOGICAPPS_SAS_KEY, else random "
                        "keys kept in the state dir)")
    p.add_argument("--timeout", type=float, default=None,
                   help="synchronous response timeout in seconds (504); default: 120, Standard projects 225 or "
                        "host.json's Runtime.Backend.HttpOperation.RequestTimeout")
    p.add_argument("--body-limit", type=int, default=None,
                   help="request body limit in bytes (413; default 104857600, same as --limit body_bytes=N)")
    add_limit_args(p)
    p.add_argument("--history", choices=("memory", "sqlite"), default="sqlite",
                   help="run history store: sqlite (default) keeps it under the state dir across restarts and "
                        "kill -9; memory forgets it when the server stops")
    p.add_argument("--history-size", type=int, default=1000, help="runs kept per workflow")
    p.add_argument("--state", default=None, metavar="KIND",
                   help="where the state lives: memory, sqlite, or redis://host:port/db to share keys, runs and "
                        "counters with every host using that Redis (docs/deploy.md); overrides --history")
    p.add_argument("--flows-from-state", action="store_true",
                   help="with --state redis://: serve the flows another host published there instead of PATHs")
    p.add_argument("--skipped-status", type=int, default=202,
                   help="status answered when trigger conditions are false (no run is created)")
    p.add_argument("--location", default="local", help="region in x-ms-* headers (Consumption shapes)")
    p.add_argument("--reload-interval", type=float, default=1.0, help="seconds between file checks; 0 = off")
    p.add_argument("--quiet", action="store_true", help="no access log")
    p.add_argument("--artifacts", metavar="DIR", default=None,
                   help="integration-account folder (Maps/, Schemas/) for Xslt, Liquid and XmlValidation")
    p.add_argument("--verbose", "-v", action="store_true", help="the access log shows each request's whole URL")
    p.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                   help="a proxy (IP or CIDR) whose X-Forwarded-For header names the caller; repeatable")
    p.add_argument("--gateway", default=None, metavar="FILE",
                   help="serve an offline API Management gateway from this JSON file (docs/gateway.md)")
    p.add_argument("--gateway-port", type=int, default=7072, help="the gateway's port (default 7072)")
    p.add_argument("--workers", default="1", metavar="N",
                   help="server processes sharing the port and the state dir (a number, or 'auto' = one per "
                        "CPU; default 1); more than one keeps history in SQLite")


EXTENSIONS.append(_add)


@command("serve", "serve workflows over HTTP")
def cmd_serve(args) -> int:
    import asyncio
    import logging

    from ..server.app import ServerConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    if args.quiet:
        logging.getLogger("emulator.server.access").setLevel(logging.WARNING)
    chosen = limits_from(args, "serve")
    if chosen is None:
        return 2
    config = ServerConfig(limits=chosen, paths=args.paths, host=args.host, port=args.port, state_dir=args.state_dir,
                          auth=args.auth, sas_key=args.sas_key or os.environ.get("LOGICAPPS_SAS_KEY"),
                          response_timeout=args.timeout, body_limit=args.body_limit,
                          history=args.state or args.history, flows_from_state=args.flows_from_state,
                          history_size=args.history_size, skipped_status=args.skipped_status,
                          location=args.location, reload_interval=args.reload_interval,
                          trusted_proxies=args.trusted_proxy, verbose=args.verbose,
                          run_options={"artifacts": args.artifacts} if args.artifacts else {})
    from .workers import supervise, worker_count

    try:
        workers = worker_count(args.workers)
    except ValueError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    if workers > 1:
        from ..server.state import is_shared

        if config.history != "sqlite" and not is_shared(config.history):  # Redis is shared already
            print(f"serve: {workers} workers share their history through SQLite in {config.state_dir}/ "
                  "(--history sqlite)", file=sys.stderr)
            config.history = "sqlite"
        return supervise(config, args.gateway, args.gateway_port, workers)
    try:
        return asyncio.run(serve(config, args.gateway, args.gateway_port))
    except KeyboardInterrupt:
        return 0


async def serve(config, gateway_file=None, gateway_port: int = 7072, *, sockets=None, gateway_secret=None,
                show_banner: bool = True, parent: int | None = None, workers: int = 1) -> int:
    """Serve until SIGTERM. ``sockets`` (listening, from :mod:`.workers`): (server's, gateway's or None),
    instead of binding ``config.port``/``gateway_port``; ``parent``: stop when that process is gone."""
    import asyncio

    from aiohttp import web

    from ..runtime.errors import HostError
    from ..server import banner
    from ..server.app import SERVER, create_app, make_runner

    try:
        app = create_app(config)
    except (HostError, ValueError) as exc:  # Redis unreachable (503) or a bad --state
        print(f"serve: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    gateway = None
    if gateway_file:
        from .gateway import load_or_report

        gateway = load_or_report(gateway_file, app, gateway_secret)
        if gateway is None:
            return 2
    runner = make_runner(app)
    await runner.setup()
    if sockets is not None:
        site = web.SockSite(runner, sockets[0])
    else:
        site = web.TCPSite(runner, config.host, config.port)
    try:
        await site.start()
    except OSError as exc:
        print(f"serve: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
        await runner.cleanup()
        return 2
    port = runner.addresses[0][1]
    host = f"[{config.host}]" if ":" in config.host else config.host
    base = f"http://{'127.0.0.1' if config.host in ('0.0.0.0', '') else host}:{port}"
    if gateway is not None:
        from .gateway import start_gateway

        gateway_runner = await start_gateway(gateway, config.host, gateway_port, port,
                                             sockets[1] if sockets is not None else None, show_banner)
        if gateway_runner is None:
            await runner.cleanup()
            return 2
        runner = _Both(runner, gateway_runner)
    server = app[SERVER]
    if show_banner:
        if config.auth == "none":
            print(banner.AUTH_NONE_WARNING, file=sys.stderr, flush=True)
        for line in banner.lines(server, base):
            print(line, flush=True)

        def announce(entry) -> None:  # a flow added while serving: its URLs and example calls, as at start
            for text in banner.workflow_lines(server, entry, base):
                print(text, flush=True)

        server.on_workflow_added = announce
        shared = f" with {workers} worker processes" if workers > 1 else ""
        print(f"\nServing on {base}{shared} (management API: {base}/workflows). Ctrl+C stops.", flush=True)
    stop = asyncio.Event()
    try:
        import signal

        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    except (ImportError, NotImplementedError, RuntimeError):  # Windows: Ctrl+C only
        pass
    orphan_watch = asyncio.create_task(_stop_when_orphaned(parent, stop)) if parent is not None else None
    try:
        await stop.wait()
    finally:
        if orphan_watch is not None:
            orphan_watch.cancel()
        await runner.cleanup()
    return 0


async def _stop_when_orphaned(parent: int, stop) -> None:
    """A worker stops once the process that started it is gone (killed without passing the signal on)."""
    import asyncio

    while os.getppid() == parent:
        await asyncio.sleep(0.5)
    stop.set()



class _Both:
    """Clean up the gateway's runner with the server's."""

    def __init__(self, *runners):
        self.runners = runners

    async def cleanup(self):
        for runner in reversed(self.runners):
            await runner.cleanup()
