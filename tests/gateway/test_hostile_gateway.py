"""The gateway's listener has the main server's bounds: body size (413), a trickled body (408), both in APIM's
envelope, in bounded time."""

from __future__ import annotations

import asyncio
import json
import time

from emulator.limits import Limits
from tests.gateway.test_e2e import FLOW, KEY, doc


async def test_gateway_body_limits(live_gateway):
    live = await live_gateway({"orders.json": FLOW}, doc())
    live.server.config.limits = Limits(body_bytes=50, body_grace_seconds=0.3, body_min_rate=1000)
    port = int(live.gateway_base.rsplit(":", 1)[1])
    head = f"POST /orders/42 HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: {KEY}\r\n"

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((head + "Content-Length: 60\r\nConnection: close\r\n\r\n").encode() + b"x" * 60)
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["statusCode"] == 413

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((head + "Content-Length: 40\r\n\r\n{\"item\"").encode())
    started = time.monotonic()
    answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < 3
