"""``LogicApps``: an in-process emulator for one test (the ``logic_apps`` fixture), also a context manager and a
decorator.

    with LogicApps("flows/") as la:
        la.mock_action("Send_an_email_(V2)", status_code=200)
        result = la.invoke("send-email", json={"to": "a@b.c", "subject": "s", "body": "b"})
        assert result.status == 200 and result.run.action("Send_an_email_(V2)").status == "Succeeded"

Every call goes through :func:`emulator.testing.adapter.call_trigger` (the server's own code, no socket).
Time is virtual (waits and retry intervals take no time) and starts at the real time unless frozen.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json as _json
import shutil
import tempfile
import weakref
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from ..runtime import VirtualClock
from ..runtime import ids as run_ids
from ..server import sas, urls
from . import adapter
from .mocks import answer, check_rules, new_mock_set, read_spec, rule
from .results import InvokeResult, RunView

_UNSET = object()
IN_PROCESS_BASE = "http://localhost"  # the in-process emulator has no address; logic_apps_server has one
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


class FlowLoadError(ValueError):
    """A workflow that does not load; the message is the validator's (file, JSON path, column)."""


class LogicApps:
    """An emulator private to one test: its own workflows, SAS keys, mocks, clock and run history."""

    base_url = IN_PROCESS_BASE

    def __init__(self, *sources, mocks=None, now: str | None = None, seed=None):
        self._dir = Path(tempfile.mkdtemp(prefix="logicapps-test-"))  # private: keys, in-memory flows
        self._remove_dir = weakref.finalize(self, shutil.rmtree, str(self._dir), True)  # even when never closed
        self._mocks = new_mock_set()
        self.clock = VirtualClock(datetime.now(timezone.utc))
        self._server = adapter.new_server(self._mocks, {"clock": self.clock}, state_dir=str(self._dir))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seeded = False
        self._closed = False
        self.last_result: InvokeResult | None = None
        if now is not None:
            self.freeze_time(now)
        if seed is not None:
            self.deterministic_ids(seed)
        if mocks is not None:
            self.load_mocks(mocks)
        for source in sources:
            self.load(source)

    # ------------------------------------------------------------------ loading
    def load(self, source, name: str | None = None) -> list[str]:
        """Load a workflow file, a folder, a Standard project or a dict (a bare definition or a workflow JSON);
        returns the names of the workflows it holds. Raises :class:`FlowLoadError` with the validator's
        messages when something does not load."""
        path = self._place(source, name)
        registry = self._server.registry
        registry.paths.append(path)
        messages = registry.load()
        problems = [m[len("problem: "):] for m in messages if m.startswith("problem: ")]
        if problems:
            registry.paths.remove(path)
            if self._dir in path.parents:  # a dict (or renamed file) written here: gone, so its name is free again
                shutil.rmtree(path.parent)
            registry.load()
            raise FlowLoadError("\n".join(problems))
        names = [e.name for e in registry.entries() if e.source is not None
                 and (e.source == path or path in e.source.parents)]
        if not names:
            raise FlowLoadError(f"{source}: no workflow found")
        return names

    def _place(self, source, name: str | None) -> Path:
        if isinstance(source, dict):
            doc = source
            wf_name = name or (source.get("name") if isinstance(source.get("name"), str) else None) or "workflow"
        else:
            path = Path(source)
            if not path.exists():
                raise FileNotFoundError(f"{source}: no such file or folder")
            if name is None:
                return path.resolve()
            if not path.is_file():
                raise ValueError("name= renames one workflow file; a folder keeps its workflows' names")
            doc = _json.loads(path.read_text(encoding="utf-8-sig"))
            wf_name = name
        target = self._dir / "flows" / wf_name / f"{wf_name}.json"  # (workflow.json: named by its folder)
        if target.exists():
            raise FlowLoadError(f"a workflow named '{wf_name}' is already loaded")
        target.parent.mkdir(parents=True)
        target.write_text(_json.dumps(doc), encoding="utf-8")
        return target

    @property
    def workflows(self) -> list[str]:
        return [e.name for e in self._server.registry.entries()]

    # ------------------------------------------------------------------ mocks
    def mock_action(self, name: str, *, status_code: int = 200, body=None, headers: dict | None = None,
                    outputs: dict | None = None, error=None, responses: list | None = None) -> None:
        """Answer the action ``name`` (a connector, Http, inline code...). ``responses``: successive answers
        (dicts in the docs/mocks.md format; the last repeats)."""
        if responses is not None:
            spec = [dict(r) for r in responses]
        else:
            spec = answer(status_code=status_code, body=body, headers=headers, outputs=outputs, error=error)
        self._mocks.add({"actions": {name: spec}})

    def mock(self, when: dict, match: str | None = None, response: dict | None = None,
             responses: list | None = None) -> None:
        """Answer every outbound call whose request matches ``when`` (and the JMESPath ``match``)."""
        self._mocks.add(check_rules({"rules": [rule(when, match, response, responses)]}))

    def load_mocks(self, source) -> None:
        """Add the mocks of a docs/mocks.md file or dict (a ``default`` there also answers unmatched
        connector calls; ``"strict": false`` turns NoMockFound off)."""
        spec = check_rules(read_spec(source))
        if "default" in spec and "strict" not in spec:
            spec = {**spec, "strict": False}
        self._mocks.add(spec)

    def allow_real_http(self, allow: bool = True) -> None:
        """Let unmatched ``Http`` actions make real calls (off by default: they fail with NoMockFound)."""
        self._mocks.add({"http": "real" if allow else "fail"})

    @property
    def calls(self) -> list:
        """Every outbound call in this test, in order (the outbox format of docs/mocks.md)."""
        return list(self._mocks.calls)

    # ------------------------------------------------------------------ time and ids
    def freeze_time(self, when) -> None:
        """Set the virtual clock to ``when`` (ISO 8601 text or a datetime; naive means UTC)."""
        target = _parse_time(when)
        self.clock.advance((target - self.clock.now()).total_seconds())

    def deterministic_ids(self, seed=0) -> None:
        """Run ids, tracking ids, ``guid()`` and ``rand()`` from a seeded source: the same seed, clock and
        calls give the same ids again (the id source is shared by the process until this emulator closes)."""
        run_ids.seed(seed)
        self._server.rng.seed(seed)
        self._seeded = True

    # ------------------------------------------------------------------ OAuth
    def token(self, tenant: str, audience: str, claims: dict | None = None, *, expires_in: int = 3600,
              issuer_style: str = "v1") -> str:
        """A bearer token signed by this emulator's local Entra ID issuer (docs/access-control.md), for flows
        with OAuth policies: ``headers={"Authorization": f"Bearer {la.token(tenant, aud)}"}``."""
        return self._server.jwt_keys.mint(tenant, audience, claims, expires_in=expires_in,
                                          issuer_style=issuer_style)

    # ------------------------------------------------------------------ URLs
    def url(self, workflow: str, trigger: str = "manual", path: str | None = None) -> str:
        """The callback URL with a valid ``sig``, as listCallbackUrl gives it; ``path`` fills the relative
        path (else the trigger's template, e.g. ``/secure/{token}``)."""
        entry, trig = self._trigger(workflow, trigger)
        if trig is None:
            raise LookupError(f"workflow '{workflow}' has no Request trigger '{trigger}' "
                              f"(loaded: {', '.join(self.workflows) or 'none'})")
        value = urls.callback(self._server.keys, entry, trig, self.base_url)["value"]
        if path is None:
            return value
        base, _, query = value.partition("?")
        if trig.path:
            base = base[: -len(trig.path.template) - 1]
        return f"{base}/{quote(path.lstrip('/'), safe=_PATH_SAFE)}?{query}"

    def _trigger(self, workflow: str, trigger: str):
        entry = self._server.registry.find(workflow)
        if entry is None:
            return None, None
        trig = entry.trigger(trigger)
        if trig is None and trigger == "manual":  # the default name: a flow's only Request trigger answers
            requests = [t for t in entry.triggers.values() if t.is_request]
            trig = requests[0] if len(requests) == 1 else None
        return entry, trig if trig is not None and trig.is_request else None

    def _target(self, workflow: str, trigger: str, path: str, query: dict | None, sas_query: bool = True) -> tuple:
        """(trigger name, path and query) of a call, signed as listCallbackUrl signs."""
        entry, trig = self._trigger(workflow, trigger)
        relative = quote((path or "").lstrip("/"), safe=_PATH_SAFE)
        if trig is None:  # the server answers 404 WorkflowNotFound / TriggerNotFound
            key = quote(workflow, safe="")
            return trigger, f"/workflows/{key}/triggers/{quote(trigger, safe='')}/paths/invoke/{relative}" \
                            f"?api-version=2016-10-01"
        callback = urls.callback(self._server.keys, entry, trig, "")
        base = callback["basePath"]
        if trig.path:
            base = base[: -len(trig.path.template) - 1]
        params = dict(callback["queries"]) if sas_query else {"api-version": callback["queries"]["api-version"]}
        for key, value in (query or {}).items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        suffix = f"/{relative}" if relative else ""
        return trig.name, f"{base}{suffix}?{sas.encode_query(params)}"

    # ------------------------------------------------------------------ calls
    def invoke(self, workflow: str, trigger: str = "manual", *, method: str = "POST", path: str = "",
               query: dict | None = None, headers: dict | None = None, json=_UNSET, data=None,
               sas: bool = True) -> InvokeResult:
        """Call a trigger as a client calls its callback URL (SAS added unless ``sas=False``); returns the
        answer and the run."""
        return self._sync(self.ainvoke(workflow, trigger, method=method, path=path, query=query, headers=headers,
                                       json=json, data=data, sas=sas))

    async def ainvoke(self, workflow: str, trigger: str = "manual", *, method: str = "POST", path: str = "",
                      query: dict | None = None, headers: dict | None = None, json=_UNSET,
                      data=None, sas: bool = True) -> InvokeResult:
        """``await``-able :meth:`invoke`, for async tests."""
        _, path_qs = self._target(workflow, trigger, path, query, sas)
        send, body = _request_body(headers, json, data)
        return await self._call(workflow, method.upper(), path_qs, send, body)

    async def _call(self, workflow, method, path_qs, headers, body) -> InvokeResult:
        got = await adapter.call_trigger(self._server, method, path_qs, headers, body)
        return await self._result(got, workflow, f"{self.base_url}{path_qs}")

    async def _result(self, got, workflow: str, url: str) -> InvokeResult:
        run = None
        if got.invocation is not None:
            record = await got.invocation.done
            entry = self._server.registry.find(workflow)
            run = RunView(record, entry.workflow if entry is not None else None)
        self.last_result = InvokeResult(got.status, got.headers, got.body, run, got.skipped, url)
        return self.last_result

    @property
    def runs(self) -> list[RunView]:
        """Every run started in this test (by ``invoke`` or by any client of the server), in order."""
        return [RunView(inv.record, entry.workflow) for entry, inv in self._server.started]

    # ------------------------------------------------------------------ event loop and lifetime
    def _sync(self, coro):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            coro.close()
            raise RuntimeError("called inside a running event loop: use the async twin (await la.ainvoke(...))")
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(coro)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._loop is not None:
            pending = [t for t in asyncio.all_tasks(self._loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()
        self._server.close()
        if self._seeded:
            run_ids.seed(None)
        self._remove_dir()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()

    def __call__(self, fn):
        """As a decorator: the function runs with this emulator passed to its last parameter (a fresh one
        per call, built with the same arguments; this instance itself is closed)."""
        self.close()
        return decorate(fn, lambda: type(self)(*self._args, **self._kwargs))

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        obj._args, obj._kwargs = args, kwargs
        return obj


def decorate(fn, make):
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    if not params:
        raise TypeError(f"{fn.__name__} needs a parameter to receive the LogicApps instance")
    name = params[-1].name
    shown = sig.replace(parameters=params[:-1])
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            async with make() as la:
                return await fn(*args, **{**kwargs, name: la})
    else:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with make() as la:
                return fn(*args, **{**kwargs, name: la})
    wrapper.__signature__ = shown
    wrapper.logic_apps_test = True  # the pytest plugin runs it when async and no async plugin does
    del wrapper.__wrapped__
    return wrapper


def _request_body(headers: dict | None, json, data) -> tuple[dict, bytes | None]:
    send = dict(headers or {})
    has_type = any(k.lower() == "content-type" for k in send)
    if json is not _UNSET:
        if not has_type:
            send["Content-Type"] = "application/json"
        return send, _json.dumps(json).encode("utf-8")
    if data is None:
        return send, None
    if isinstance(data, str):
        if not has_type:
            send["Content-Type"] = "text/plain; charset=utf-8"
        return send, data.encode("utf-8")
    if not has_type:
        send["Content-Type"] = "application/octet-stream"  # what HTTP clients send for bytes
    return send, bytes(data)


def _parse_time(when) -> datetime:
    if isinstance(when, datetime):
        value = when
    else:
        text = str(when).strip()
        value = sas.parse_expiry(text)
        if value is None:
            raise ValueError(f"not an ISO 8601 time: {when!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
