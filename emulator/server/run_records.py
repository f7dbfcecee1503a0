"""Reading the runtime's run records (see ``emulator/runtime/run.py``) the way the management API shows them.

Actions are found by name without regard to case; repetitions are named as Azure names them, by their item
indexes outermost first (``000001`` or ``000001-000000``).
"""

from __future__ import annotations

import uuid

from ..runtime.run import SECURED, worst

KINDS = {"ActionInputs": "inputs", "ActionOutputs": "outputs", "TriggerInputs": "inputs",
         "TriggerOutputs": "outputs"}


REDACTED = "REDACTED"


def shown_trigger(entry, record: dict) -> dict:
    """The run's trigger record with the parts its ``runtimeConfiguration.secureData`` secures hidden, and the
    caller's credentials (``sig``, subscription keys, an ``Authorization`` header) redacted in its outputs."""
    trig = record.get("trigger") or {}
    found = entry.trigger(str(trig.get("name") or ""))
    config = found.trigger.runtime_configuration if found is not None else {}
    secured = (config.get("secureData") or {}).get("properties") or []
    if secured:
        trig = {k: SECURED if k in secured and k in ("inputs", "outputs") else v for k, v in trig.items()}
    outputs = trig.get("outputs")
    if isinstance(outputs, dict):
        redacted = _without_credentials(outputs)
        if redacted is not outputs:
            trig = {**trig, "outputs": redacted}
    return trig


# The caller's credentials a trigger's outputs may hold: the SAS signature, an API Management subscription key
# (the gateway forwards it as APIM does), an Azure Functions key; a bearer token or a subscription key header.
CREDENTIAL_QUERIES = frozenset(("sig", "subscription-key", "code"))
CREDENTIAL_HEADERS = frozenset(("authorization", "ocp-apim-subscription-key"))


def _without_credentials(outputs: dict) -> dict:
    """``outputs`` (or a copy) with the caller's credentials redacted: the workflow's expressions saw them,
    the management API does not show them (docs/fidelity.md)."""
    queries, headers = outputs.get("queries"), outputs.get("headers")
    sig = [k for k in queries if k.lower() in CREDENTIAL_QUERIES] if isinstance(queries, dict) else []
    auth = [k for k in headers if k.lower() in CREDENTIAL_HEADERS] if isinstance(headers, dict) else []
    if not sig and not auth:
        return outputs
    shown = dict(outputs)
    if sig:
        shown["queries"] = {k: REDACTED if k in sig else v for k, v in queries.items()}
    if auth:
        shown["headers"] = {k: _scheme_only(v) if k in auth else v for k, v in headers.items()}
    return shown


def _scheme_only(value) -> str:
    scheme = str(value).split(" ", 1)[0] if " " in str(value) else ""
    return f"{scheme} {REDACTED}" if scheme else REDACTED


def find_action(record: dict, name: str) -> tuple[str, dict] | None:
    actions = record.get("actions") or {}
    if name in actions:
        return name, actions[name]
    found = next((k for k in actions if k.lower() == name.lower()), None)
    return None if found is None else (found, actions[found])


def repetition_name(index: int, rep, action_name: str) -> str:
    if isinstance(rep, dict):
        indexes = rep.get("repetitionIndexes")
        if indexes:
            return "-".join(f"{int(i.get('itemIndex', 0)):06d}" for i in indexes)
        name = rep.get("name")
        if name and name != action_name:
            return str(name)
    return f"{index:06d}"


def repetitions(action_name: str, action: dict) -> list[tuple[str, dict]]:
    out = []
    for index, rep in enumerate(action.get("repetitions") or []):
        out.append((repetition_name(index, rep, action_name), rep if isinstance(rep, dict) else {"value": rep}))
    return out


def find_repetition(action_name: str, action: dict, name: str) -> dict | None:
    return next((rep for rep_name, rep in repetitions(action_name, action) if rep_name == name), None)


def scope_repetitions(record: dict, loop: str) -> list[tuple[str, dict]]:
    """The iterations of loop action ``loop`` (Azure's scope repetitions), gathered from the repetitions of the
    actions inside it: times span theirs, the status is the worst of theirs."""
    groups: dict[str, dict] = {}
    for action in (record.get("actions") or {}).values():
        for rep in action.get("repetitions") or []:
            indexes = rep.get("repetitionIndexes") if isinstance(rep, dict) else None
            depth = next((i for i, index in enumerate(indexes or []) if index.get("scopeName") == loop), None)
            if depth is None:
                continue
            key = indexes[: depth + 1]
            name = "-".join(f"{int(i.get('itemIndex', 0)):06d}" for i in key)
            group = groups.setdefault(name, {"repetitionIndexes": key, "statuses": []})
            group["statuses"].append(rep.get("status"))
            for field, pick in (("startTime", min), ("endTime", max)):
                if rep.get(field):
                    group[field] = pick(group[field], rep[field]) if group.get(field) else rep[field]
    out = []
    for name in sorted(groups):
        group = groups[name]
        statuses = group.pop("statuses")
        group["status"] = "Running" if "Running" in statuses else worst(statuses)
        out.append((name, group))
    return out


def request_histories(record: dict, action: str, repetition: str | None = None) -> list[tuple[str, dict]]:
    """The outbound calls an action (or one repetition of it) made, from the run's call log, in order;
    each named by a stable guid."""
    out = []
    for index, call in enumerate(record.get("calls") or []):
        if str(call.get("action", "")).lower() != action.lower():
            continue
        indexes = call.get("repetitionIndexes")
        rep = "-".join(f"{int(i.get('itemIndex', 0)):06d}" for i in indexes) if indexes else None
        if rep != repetition:
            continue
        name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.get('name')}/calls/{index}"))
        out.append((name, call))
    return out


def content(entry, record: dict, kind: str, action: str | None = None, repetition: str | None = None):
    """The inputs or outputs a content link serves; ``(False, None)`` when there is none to serve."""
    key = KINDS.get(kind)
    if key is None:
        return False, None
    if kind.startswith("Trigger"):
        if action is not None:
            return False, None
        holder = shown_trigger(entry, record)
    else:
        if action is None:
            return False, None
        found = find_action(record, action)
        if found is None:
            return False, None
        holder = found[1]
        if repetition is not None:
            holder = find_repetition(found[0], holder, repetition)
            if holder is None:
                return False, None
    if key not in holder or holder[key] == SECURED:
        return False, None
    return True, holder[key]
