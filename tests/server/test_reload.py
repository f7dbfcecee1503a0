"""Hot reload: add, edit, delete, and a broken edit that keeps the last good version serving."""

from __future__ import annotations

import asyncio
import json
import os

from tests.server.flowdefs import flow, response


def _write(path, doc, bump: int):
    path.write_text(json.dumps(doc) if isinstance(doc, dict) else doc, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


async def _until(predicate, timeout=3.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_add_edit_break_delete(serve, tmp_path, caplog):
    live = await serve({"one.json": flow({"R": response(200, "v1")})}, reload_interval=0.05)
    folder = tmp_path / "flows"
    url = live.url("one")

    async def body_is(expected):
        status, _, data = await live.call("POST", url)
        return status == 200 and data == expected

    _write(folder / "one.json", flow({"R": response(200, "v2")}), 5)
    assert await _until(lambda: body_is(b"v2"))
    _write(folder / "one.json", "{ broken", 10)
    await asyncio.sleep(0.3)
    assert await body_is(b"v2")
    assert any("one" in p for p in live.server.registry.problems)
    _write(folder / "two.json", flow({"R": response(200, "two")}), 0)
    assert await _until(lambda: _found(live, "two"))
    (folder / "one.json").unlink()
    assert await _until(lambda: _gone(live, "one"))
    status, _, out = await live.call_json("POST", url)
    assert status == 404 and out["error"]["code"] == "WorkflowNotFound"


async def _found(live, name):
    return live.server.registry.find(name) is not None


async def _gone(live, name):
    return live.server.registry.find(name) is None
