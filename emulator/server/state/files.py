"""SAS keys and the issuer's signing key as files in the state dir (``keys.json``, ``issuer/signing-key.json``).

Both are shared by every process using the state dir: ``keys.json`` is rewritten under an exclusive lock
(``keys.lock``, ``fcntl.flock`` where available) and replaced atomically, and its stamp is the file's
``(mtime_ns, size, inode)``; the signing key is created once (``os.link`` makes the first creator win).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path

from .base import KeyState, SigningKeyState

try:
    import fcntl
except ImportError:  # Windows: one process per state dir
    fcntl = None


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file, then rename), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class FileKeys(KeyState):
    def __init__(self, state_dir: str | Path):
        self.path = Path(state_dir) / "keys.json"
        self.lock_path = Path(state_dir) / "keys.lock"

    def load(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def stamp(self):
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    @contextlib.contextmanager
    def _locked(self):
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _save(self, keys: dict) -> None:
        write_private(self.path, json.dumps(keys, indent=2, sort_keys=True))

    def add_generated(self, workflow: str, key_type: str, key: str) -> str:
        with self._locked():
            keys = self.load()
            generated = keys.setdefault(workflow.lower(), {}).setdefault("generated", {})
            if key_type not in generated:
                generated[key_type] = key
                self._save(keys)
            return generated[key_type]

    def regenerate(self, workflow: str, key_type: str, key: str) -> None:
        with self._locked():
            keys = self.load()
            keys.setdefault(workflow.lower(), {}).setdefault("regenerated", {})[key_type] = key
            self._save(keys)


class FileSigningKey(SigningKeyState):
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def get_or_create(self, create) -> dict:
        if not self.path.exists():
            payload = json.dumps(create(), indent=2)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            try:  # link() fails when another process won the race: keep theirs
                os.link(tmp, self.path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return json.loads(self.path.read_text(encoding="utf-8"))
