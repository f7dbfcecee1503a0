"""Flows held in Redis: a host that serves files publishes them; hosts without files mirror them.

``serve --state redis://... flows/`` publishes every file under its paths (workflow files and their sidecars,
Standard projects whole) after each (re)load into one hash, ``{p}flows`` (``"<path index>/<relative path>"``
-> ``{"mtime_ns", "data"}``), and bumps the ``flows`` stamp. ``serve --state redis://... --flows-from-state``
keeps a local mirror of that hash (``<state dir>/flows-mirror/<path index>/...``, modification times kept, so
every host reports the same ``x-ms-workflow-version``) and reloads it when the stamp changes: a change made on
the publishing host is served by the others within one poll (0.25 s) of its reload.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

from .redis_store import UNREACHABLE, RedisState

MAX_FILE = 16 * 1024 * 1024  # a flow file bigger than this is not published (logged by the caller)
_IGNORED_DIRS = {"__pycache__", ".git", "node_modules", ".state"}


def snapshot(paths) -> dict[str, dict]:
    """Every file the paths serve, by ``"<index>/<relative path>"`` (a file path: its own name)."""
    files: dict[str, dict] = {}
    for index, path in enumerate(Path(p) for p in paths):
        if path.is_file():  # with its sidecars (``x.mocks.json``, ``x.access.json``, ...)
            for sibling in sorted(path.parent.glob(f"{path.stem}.*")):
                if sibling.is_file():
                    _add(files, f"{index}/{sibling.name}", sibling)
        elif path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _IGNORED_DIRS and not d.startswith("."))
                for name in sorted(names):
                    full = Path(root) / name
                    _add(files, f"{index}/{full.relative_to(path).as_posix()}", full)
    return files


def _add(files: dict, name: str, path: Path) -> None:
    try:
        stat = path.stat()
        if stat.st_size > MAX_FILE:
            return
        files[name] = {"mtime_ns": stat.st_mtime_ns, "data": base64.b64encode(path.read_bytes()).decode("ascii")}
    except OSError:
        pass


def digest(files: dict) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


async def publish(state: RedisState, paths, last_digest: str | None = None) -> str:
    """Store the files of ``paths`` as the shared copy (when they changed since ``last_digest``)."""
    files = snapshot(paths)
    found = digest(files)
    if found == last_digest:
        return found
    conn = state.conn
    key = conn.key("flows")
    try:
        async with conn.aio.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, "#paths", str(len(list(paths))))
            if files:
                pipe.hset(key, mapping={name: json.dumps(item) for name, item in files.items()})
            pipe.hincrby(conn.key("stamps"), "flows", 1)
            await pipe.execute()
    except UNREACHABLE as exc:
        raise conn.unavailable(exc) from None
    return found


async def fetch(state: RedisState) -> dict:
    """The shared copy as stored (the asyncio client)."""
    try:
        return await state.conn.aio.hgetall(state.conn.key("flows"))
    except UNREACHABLE as exc:
        raise state.conn.unavailable(exc) from None


def fetch_sync(state: RedisState) -> dict:
    """The shared copy as stored (the synchronous client: at start, before serving)."""
    try:
        return state.conn.sync.hgetall(state.conn.key("flows"))
    except UNREACHABLE as exc:
        raise state.conn.unavailable(exc) from None


async def mirror(state: RedisState, folder: Path) -> list[Path]:
    return write_mirror(await fetch(state), folder)


def write_mirror(stored: dict, folder: Path) -> list[Path]:
    """Write the shared copy under ``folder`` (files gone from it are removed); the paths to serve."""
    stored = {(k.decode() if isinstance(k, bytes) else k): v for k, v in stored.items()}
    count = int(stored.pop("#paths", b"1") or 1)
    wanted: set[Path] = set()
    for name, raw in stored.items():
        if ".." in Path(name).parts or Path(name).is_absolute():
            continue  # never outside the mirror
        item = json.loads(raw)
        target = folder / name
        wanted.add(target)
        data = base64.b64decode(item["data"])
        if not (target.is_file() and target.read_bytes() == data and target.stat().st_mtime_ns == item["mtime_ns"]):
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            os.utime(tmp, ns=(item["mtime_ns"], item["mtime_ns"]))
            tmp.replace(target)
    roots = [folder / str(i) for i in range(count)]
    for root in roots:
        root.mkdir(parents=True, exist_ok=True)
    for root, dirs, names in os.walk(folder, topdown=False):
        for name in names:
            path = Path(root) / name
            if path not in wanted:
                path.unlink(missing_ok=True)
        for name in dirs:
            path = Path(root) / name
            if path not in roots and not any(path in w.parents for w in wanted):
                shutil.rmtree(path, ignore_errors=True)
    return roots
