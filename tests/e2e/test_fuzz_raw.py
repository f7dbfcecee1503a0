"""HTTP fuzzing on a raw socket: methods, paths, headers, bodies, content types and encodings that aiohttp's
client would not send (bytes that are not UTF-8, control characters, broken chunking, bogus compression).

Every request gets an answer in bounded time; no answer is a 500 (a flow's own 502/504 aside), none
carries a traceback or the request's ``sig``, and the server logs no traceback. Derandomized and bounded,
so it runs in seconds and the same way every time.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.test_hostile import FLOWS, target

# issue 10's server/malformed.py answers unparsable requests in the host's JSON (before it, aiohttp's text)
MALFORMED_IS_JSON = importlib.util.find_spec("emulator.server.malformed") is not None

TOKEN = st.text(alphabet="!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                min_size=1, max_size=12)
JUNK = st.binary(max_size=40)
GOOD_METHODS = st.sampled_from([b"POST", b"POST", b"GET", b"PUT", b"DELETE", b"PATCH", b"post"])
METHODS = st.one_of(GOOD_METHODS, GOOD_METHODS, GOOD_METHODS,
                    st.sampled_from([b"HEAD", b"OPTIONS", b"TRACE", b"CONNECT"]), TOKEN.map(str.encode),
                    JUNK.filter(lambda b: b and b" " not in b and b"\r" not in b and b"\n" not in b))
VALUE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(str.encode)
NO_LINE_BREAK = JUNK.map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
HEADER = st.one_of(st.tuples(TOKEN.map(str.encode), VALUE), st.tuples(TOKEN.map(str.encode), VALUE),
                   st.tuples(TOKEN.map(str.encode), NO_LINE_BREAK),
                   st.tuples(NO_LINE_BREAK.filter(lambda b: b":" not in b), VALUE))
CONTENT_TYPES = [b"application/json", b"application/json; charset=utf-16", b"application/json; charset=bogus",
                 b"text/plain; charset=latin-1", b"application/xml", b"application/x-www-form-urlencoded",
                 b"multipart/form-data; boundary=XyZ", b"multipart/form-data", b"application/octet-stream",
                 b"\xff\xfe/\x00", b""]
BODIES = st.one_of(JUNK, st.sampled_from([b'{"a": 1}', b"[" * 3000, b'{"n": 1e999}', b"\xef\xbb\xbf{}",
                                          b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--",
                                          b"a=1&b=%ff&&=", zlib.compress(b'{"z": 1}')]))


@st.composite
def raw_requests(draw):
    flow = draw(st.sampled_from(sorted(name.removesuffix(".json") for name in FLOWS)))
    method = draw(METHODS)
    suffix = draw(st.one_of(st.just(b""), st.just(b""), st.just(b""), JUNK.map(lambda b: b"/" + b.replace(b" ", b"%20").replace(b"\r", b"")
                                                    .replace(b"\n", b"").replace(b"?", b"").replace(b"#", b"")),
                            st.sampled_from([b"/files/a.b", b"/%ff%fe", b"/..%2f..%2f", b"/" + b"a" * 3000])))
    headers = draw(st.lists(HEADER, max_size=4))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    encoding = draw(st.sampled_from([b"", b"", b"", b"", b"gzip", b"deflate", b"br", b"bogus"]))
    chunked = draw(st.sampled_from([False, False, False, True]))
    body = draw(BODIES)
    return flow, method, suffix, headers, content_type, encoding, chunked, body


def build(path: str, parts) -> bytes:
    _, method, suffix, headers, content_type, encoding, chunked, body = parts
    base, _, query = path.partition("?")
    lines = [method + b" " + base.encode() + suffix + b"?" + query.encode() + b" HTTP/1.1", b"Host: localhost",
             b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if content_type:
        lines.append(b"Content-Type: " + content_type)
    if encoding:
        lines.append(b"Content-Encoding: " + encoding)
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
        payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if body else b"zz\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}".encode())
        payload = body
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


def test_raw_requests_never_get_a_500_a_traceback_or_the_sig(tmp_path, caplog):
    from tests.server.live import start, write_flows

    drawn = []

    @settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(raw_requests())
    def collect(parts):
        drawn.append(parts)

    collect()
    caplog.set_level(logging.INFO)
    seen: dict[int, int] = {}

    async def scenario():
        live = await start([write_flows(tmp_path / "flows", FLOWS)], tmp_path / "state")
        port = int(live.base.rsplit(":", 1)[1])
        try:
            for parts in drawn:
                path = target(live, parts[0])
                sig = path.split("sig=")[1]
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(build(path, parts))
                answer = await asyncio.wait_for(reader.read(), 10)
                writer.close()
                assert answer.startswith(b"HTTP/1."), (parts, answer[:200])
                status = int(answer.split(b" ", 2)[1])
                seen[status] = seen.get(status, 0) + 1
                head, _, body = answer.partition(b"\r\n\r\n")
                ran = b"x-ms-workflow-run-id" in head.lower()
                assert status < 500 or (ran and status in (502, 504)), (parts, answer[:400])
                assert b"Traceback" not in answer, (parts, answer[:400])
                if MALFORMED_IS_JSON or body.startswith(b"{"):  # aiohttp's own text answers quote the request
                    assert sig.encode() not in answer, (parts, answer[:400])
                    if status >= 400 and not ran and parts[1] != b"HEAD":
                        assert body.startswith(b"{\"error\""), (parts, answer[:400])
        finally:
            await live.close()

    asyncio.run(scenario())
    assert seen.get(200, 0) >= 3, seen  # some runs are reached, not only refusals
    logged = "\n".join(r.getMessage() + (str(r.exc_info) if r.exc_info else "") for r in caplog.records)
    traced = [r for r in caplog.records if r.exc_info and (MALFORMED_IS_JSON or r.name != "aiohttp.server")]
    assert not traced, [(r.name, r.getMessage()) for r in traced]
    if MALFORMED_IS_JSON:
        assert "sig=" not in logged.replace("sig=REDACTED", "")
