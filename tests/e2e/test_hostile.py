"""Hostile input on a real socket: every answer is a 2xx/4xx in the host's JSON shape, in bounded time.

Never a 500, a crash, a traceback or a hang (issue 14, "Limits and hostile input"; docs/limits.md).
Raw sockets send what aiohttp's client refuses to (invalid UTF-8, half requests, trickled bodies).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from emulator.limits import Limits

ANY = {"type": "Request", "kind": "Http", "inputs": {}}


def flow(body, headers=None, trigger=None) -> dict:
    inputs = {"statusCode": 200, "body": body}
    if headers:
        inputs["headers"] = headers
    return {"definition": {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
                   "workflowdefinition.json#",
        "contentVersion": "1.0.0.0", "triggers": {"manual": trigger or ANY},
        "actions": {"Answer": {"type": "Response", "kind": "Http", "inputs": inputs, "runAfter": {}}}}}


FLOWS = {
    "echo.json": flow("@triggerBody()"),
    "headers.json": flow("@triggerOutputs()['headers']"),
    "reflect.json": flow("ok", {"X-Echo": "@{triggerBody()?['h']}"}),
    "number.json": flow("@add(triggerBody()?['n'], 1)"),
    "files.json": flow("@triggerOutputs()['relativePathParameters']",
                       trigger={"type": "Request", "kind": "Http",
                                "inputs": {"method": "GET", "relativePath": "/files/{name}.{ext}"}}),
}


async def raw(live, data: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send ``data`` as it is; (status, body) of the answer, or (0, b'') when the server closed."""
    port = int(live.base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    if not answer:
        return 0, b""
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def target(live, workflow: str, relative: str | None = None) -> str:
    """The path and query of a signed callback URL (``relative`` after ``/invoke``)."""
    return live.url(workflow, relative=relative).split(live.base, 1)[1]


def request(method: str, path: str, headers: bytes = b"", body: bytes = b"") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n".encode() + headers
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


async def latest_run(live, workflow: str) -> dict:
    """The newest run of ``workflow``, read through the management API (as a client reads it)."""
    status, _, runs = await live.call_json("GET", f"{live.base}/workflows/{workflow}/runs?api-version=2016-06-01")
    assert status == 200 and runs["value"], runs
    return runs["value"][0]


def host_error(body: bytes) -> dict:
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message"}, error
    return error


@pytest.fixture
async def live(serve_real):
    return await serve_real(FLOWS)


# ------------------------------------------------------------------ the first probe's findings


async def test_json_nested_100000_deep_is_a_400(live):
    body = b"[" * 100_000 + b"]" * 100_000
    status, answer = await raw(live, request("POST", target(live, "echo"), b"Content-Type: application/json\r\n",
                                             body))
    assert status == 400 and host_error(answer)["code"] == "InvalidRequestContent"


@pytest.mark.parametrize("history", ["memory", "sqlite"])
async def test_invalid_utf8_header_value_is_read_leniently(serve_real, history):
    live = await serve_real(FLOWS, history=history)
    status, answer = await raw(live, request("POST", target(live, "headers"), b"X-Bad: caf\xe9 \xff\xfe\r\n"))
    assert status == 200
    assert json.loads(answer)["X-Bad"] == "caf\ufffd \ufffd\ufffd"
    run = await latest_run(live, "headers")
    assert run["properties"]["status"] == "Succeeded"


async def test_a_trickled_body_is_refused_with_408_in_bounded_time(serve_real):
    live = await serve_real(FLOWS, limits=Limits(body_read_seconds=1.0, body_grace_seconds=0.3, body_min_rate=1))
    port = int(live.base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST {target(live, 'echo')} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            f"Content-Length: 20000000\r\n\r\n").encode()
    writer.write(head)
    started = time.monotonic()

    async def trickle():
        while True:
            writer.write(b"x" * 10)
            await writer.drain()
            await asyncio.sleep(0.05)

    feeder = asyncio.create_task(trickle())
    try:
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    finally:
        feeder.cancel()
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    assert time.monotonic() - started < 5


async def test_a_body_slower_than_the_minimum_rate_is_refused_with_408(serve_real):
    live = await serve_real(FLOWS, limits=Limits(body_grace_seconds=0.3, body_min_rate=1000))
    port = int(live.base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {target(live, 'echo')} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                 f"Content-Length: 1000\r\n\r\nabc".encode())
    started = time.monotonic()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    body = await reader.readexactly(length)
    writer.close()
    assert head.startswith(b"HTTP/1.1 408 ")
    assert host_error(body)["code"] == "RequestTimeout"
    assert time.monotonic() - started < 3


async def test_a_client_gone_before_its_body_ends_leaves_no_traceback(live, caplog):
    caplog.set_level(logging.DEBUG)
    port = int(live.base.rsplit(":", 1)[1])
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {target(live, 'echo')} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".encode())
    await writer.drain()
    writer.close()
    await asyncio.sleep(0.3)
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    status, _ = await raw(live, request("POST", target(live, "echo"), body=b"still here"))
    assert status == 200


# ------------------------------------------------------------------ limits over HTTP

async def test_request_limits_answer_in_the_host_shape(serve_real):
    live = await serve_real(FLOWS, limits=Limits(body_bytes=100, url_chars=600))
    status, answer = await raw(live, request("POST", target(live, "echo"), body=b"x" * 101))
    assert (status, host_error(answer)["code"]) == (413, "RequestContentTooLarge")
    status, answer = await raw(live, request("POST", target(live, "echo") + "&pad=" + "a" * 600))
    assert (status, host_error(answer)["code"]) == (414, "RequestUrlTooLong")
    assert "limit of 600 characters" in host_error(answer)["message"]


async def test_too_many_or_too_long_headers_are_a_400(serve_real):
    live = await serve_real(FLOWS, limits=Limits(header_count=20, header_line_bytes=200))
    many = b"".join(f"X-H{i}: v\r\n".encode() for i in range(40))
    status, _ = await raw(live, request("POST", target(live, "echo"), many))
    assert status == 400
    status, _ = await raw(live, request("POST", target(live, "echo"), b"X-Long: " + b"a" * 300 + b"\r\n"))
    assert status == 400
    status, _ = await raw(live, request("POST", target(live, "echo"), body=b"fine"))
    assert status == 200


# ------------------------------------------------------------------ odd input the flows see

async def test_invalid_utf8_in_bodies(live):
    for ctype in (b"application/json", b"application/json; charset=utf-8", b"text/plain", b""):
        headers = b"Content-Type: " + ctype + b"\r\n" if ctype else b""
        status, answer = await raw(live, request("POST", target(live, "echo"), headers, b'{"a": "\xff\xfe"}'))
        assert status in (200, 400), (ctype, status, answer[:200])
        if status == 400:
            assert host_error(answer)["code"] == "InvalidRequestContent"


async def test_invalid_utf8_in_paths(live):
    good = target(live, "files", "/files/report.txt")
    # percent-encoded bytes that are not UTF-8 become U+FFFD in the parameter
    status, answer = await raw(live, request("GET", good.replace("report", "%FF%FEreport")))
    assert status == 200 and json.loads(answer) == {"name": "\ufffd\ufffdreport", "ext": "txt"}
    # raw bytes that are not UTF-8 (and not even ASCII): the HTTP parser refuses the request line
    status, _ = await raw(live, request("GET", good).replace(b"report", b"\xff\xfereport", 1))
    assert status == 400


async def test_path_traversal_reaches_no_file(live):
    for path in ("/workflows/..%2F..%2Fetc%2Fpasswd/triggers/manual/paths/invoke?api-version=2016-10-01",
                 "/workflows/../../etc/passwd/triggers/manual/paths/invoke?api-version=2016-10-01",
                 "/workflows/%2e%2e/triggers/manual/paths/invoke?api-version=2016-10-01",
                 "/workflows/..%5C..%5Cwindows/triggers/manual/run?api-version=2016-10-01"):
        status, answer = await raw(live, request("POST", path))
        assert status in (400, 401, 404), (path, status)
        host_error(answer)
    status, answer = await raw(live, request("GET", target(live, "files", "/files/..%2F..%2Fetc%2Fpasswd.txt")))
    assert status == 200 and json.loads(answer) == {"name": "", "ext": "./../etc/passwd.txt"}  # just text
    status, answer = await raw(live, request("GET", target(live, "files", "/files/..%2F..%2F.x")))
    assert status in (200, 404)


async def test_odd_workflow_names_are_served_at_their_encoded_urls(serve_real):
    names = ["with space", "ünïcødé", "per%cent", "semi;colon", "a+b"]
    live = await serve_real({f"{n}.json": flow("@triggerBody()") for n in names})
    for name in names:
        status, answer = await raw(live, request("POST", target(live, name), b"Content-Type: application/json\r\n",
                                                 b'{"ok": 1}'))
        assert (status, answer) == (200, b'{"ok":1}'), (name, status, answer[:200])


async def test_huge_numbers(live):
    for number in (b"9" * 5000, b"1e999999", b"-1e999999", b"1e-999999", b"123456789012345678901234567890.5"):
        status, answer = await raw(live, request("POST", target(live, "number"), b"Content-Type: application/json\r\n",
                                                 b'{"n": ' + number + b"}"))
        assert status in (200, 400, 502), (number[:20], status)
        if status != 200:
            host_error(answer)


async def test_crlf_in_a_response_header_built_from_request_data(live):
    body = json.dumps({"h": "a\r\nSet-Cookie: stolen=1"}).encode()
    status, answer = await raw(live, request("POST", target(live, "reflect"), b"Content-Type: application/json\r\n",
                                             body))
    assert status == 502
    assert b"stolen" not in answer.split(b"\r\n\r\n")[0]
    run = await latest_run(live, "reflect")
    _, _, action = await live.call_json(
        "GET", f"{live.base}/workflows/reflect/runs/{run['name']}/actions/Answer?api-version=2016-06-01")
    assert action["properties"]["status"] == "Failed"
    assert action["properties"]["error"]["code"] == "InvalidResponseHeader"


# ------------------------------------------------------------------ connections that never finish

async def test_half_open_connections_are_closed_and_do_not_block_others(serve_real):
    live = await serve_real(FLOWS, limits=Limits(idle_seconds=1.0))
    port = int(live.base.rsplit(":", 1)[1])
    opened = []
    for index in range(200):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /workflows/x HTTP/1.1\r\nHost: x\r\n" if index % 2 else b"")
        opened.append((reader, writer))
    started = time.monotonic()
    status, _ = await raw(live, request("POST", target(live, "echo"), body=b"hello"))
    assert status == 200 and time.monotonic() - started < 2
    closed = await asyncio.wait_for(asyncio.gather(*(r.read() for r, _ in opened)), 10)
    assert all(chunk == b"" for chunk in closed)
    for _, writer in opened:
        writer.close()


@pytest.mark.parametrize("depth", [200, 500, 900])
async def test_deep_json_that_parses_is_answered_and_stored(serve_real, depth):
    live = await serve_real(FLOWS, history="sqlite")
    body = b'{"a":' * depth + b"1" + b"}" * depth
    status, answer = await raw(live, request("POST", target(live, "echo"), b"Content-Type: application/json\r\n",
                                             body))
    assert status in (200, 400), status
    if status == 200:
        assert answer == body
    else:
        assert host_error(answer)["code"] == "InvalidRequestContent"
