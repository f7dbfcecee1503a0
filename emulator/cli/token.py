"""``python -m emulator token``: print an access token signed by the local issuer (see docs/access-control.md)."""

from __future__ import annotations

import sys

from .main import EXTENSIONS, command

_NUMERIC_CLAIMS = {"exp", "nbf", "iat"}


def _add(sub):
    p = sub.add_parser("token", help="print a bearer token signed by the emulator's local Entra ID issuer")
    p.add_argument("--tenant", required=True, help="tenant id: sets tid and iss")
    p.add_argument("--aud", required=True, help="audience (aud claim), e.g. https://management.azure.com/")
    p.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="add or override a claim (repeatable; a repeated name makes an array, e.g. roles)",
    )
    p.add_argument(
        "--expires-in", type=int, default=3600, metavar="SECONDS", help="lifetime (negative: expired)"
    )
    p.add_argument(
        "--state-dir",
        help="where the signing key lives (default: $LOGICAPPS_EMULATOR_STATE_DIR or "
        "./.state); must be the server's --state-dir",
    )
    p.add_argument(
        "--state",
        metavar="redis://HOST:PORT/DB",
        help="the signing key of hosts sharing their state through Redis (serve --state redis://...)",
    )
    p.add_argument(
        "--issuer-style",
        choices=["v1", "v2"],
        default="v1",
        help="v1: iss https://sts.windows.net/<tenant>/ (default); v2: https://login.microsoftonline.com/"
        "<tenant>/v2.0",
    )


EXTENSIONS.append(_add)


def parse_claims(items: list[str]) -> dict:
    claims: dict = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--claim expects NAME=VALUE, got '{item}'")
        parsed = int(value) if name in _NUMERIC_CLAIMS else value
        if name in claims:
            previous = claims[name]
            claims[name] = (previous if isinstance(previous, list) else [previous]) + [parsed]
        else:
            claims[name] = parsed
    return claims


@command("token", "print a bearer token signed by the local issuer")
def cmd_token(args) -> int:
    from ..server.keys_jwt import KeyStore

    try:
        claims = parse_claims(args.claim)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    signing_key = None
    if args.state:
        from ..server.state import is_shared, open_state

        if not is_shared(args.state):
            print(f"--state expects redis://host:port/db, got '{args.state}'", file=sys.stderr)
            return 2
        try:
            signing_key = open_state(args.state, None).signing_key
        except Exception as exc:  # noqa: BLE001 - Redis unreachable: say so, exit 2
            print(f"token: {getattr(exc, 'message', exc)}", file=sys.stderr)
            return 2
    store = KeyStore(args.state_dir, signing_key)
    print(
        store.mint(args.tenant, args.aud, claims, expires_in=args.expires_in, issuer_style=args.issuer_style)
    )
    return 0
