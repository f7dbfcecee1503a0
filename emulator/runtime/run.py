"""The run record: plain JSON-shaped dicts the CLI, the server's history API and the tests read.

``{"name": run_id, "status", "startTime", "endTime", "correlation", "trigger": {...},
"actions": {name: {...}}, "error"?}``. Actions inside loops carry ``repetitions``.
"""

from __future__ import annotations

from http import HTTPStatus

from ..definitions.status import CANCELLED, FAILED, SKIPPED, SUCCEEDED, TIMED_OUT

SECURED = "<secured>"
FAILED_STATES = (FAILED, TIMED_OUT)
_SEVERITY = {FAILED: 5, TIMED_OUT: 4, CANCELLED: 3, SUCCEEDED: 2, SKIPPED: 1}

ACTION_FAILED = {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}
RUN_CANCELLED = {"code": "Cancelled", "message": "The workflow run was cancelled."}
ACTION_CANCELLED = {"code": "Cancelled", "message": "The action was cancelled because the workflow run was cancelled."}


_STATUS_NAMES: dict[int, str] = {}


def status_code_name(status: int) -> str:
    """``404`` -> ``"NotFound"`` (.NET HttpStatusCode names); unnamed codes as digits."""
    name = _STATUS_NAMES.get(status)
    if name is None:
        name = _STATUS_NAMES[status] = _status_code_name(status)
    return name


def _status_code_name(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return str(status)
    special = {413: "RequestEntityTooLarge", 414: "RequestUriTooLong", 416: "RequestedRangeNotSatisfiable",
               418: str(418), 422: "UnprocessableEntity", 500: "InternalServerError"}
    if status in special:
        return special[status]
    return "".join(word[:1].upper() + word[1:] for word in phrase.replace("-", " ").split())


def worst(statuses) -> str:
    best = SKIPPED
    for s in statuses:
        if _SEVERITY.get(s, 0) > _SEVERITY.get(best, 0):
            best = s
    return best


def public_record(record: dict, action) -> dict:
    """The record as the run history shows it: secured inputs/outputs hidden."""
    if not (action.secure_inputs or action.secure_outputs):
        return record
    shown = dict(record)
    if action.secure_inputs and "inputs" in shown:
        shown["inputs"] = SECURED
    if action.secure_outputs and "outputs" in shown:
        shown["outputs"] = SECURED
    return shown


def result_entry(record: dict) -> dict:
    """One element of ``result('Scope')``."""
    keys = ("name", "inputs", "outputs", "startTime", "endTime", "trackingId", "clientTrackingId",
            "trackedProperties", "code", "status", "error")
    return {k: record[k] for k in keys if k in record and record[k] is not None}


def sort_repetitions(actions: dict) -> None:
    for rec in actions.values():
        reps = rec.get("repetitions")
        if reps:
            reps.sort(key=lambda r: [i.get("itemIndex", 0) for i in r.get("repetitionIndexes", [])])


def format_tree(run: dict, workflow=None) -> str:
    """A readable run tree: one line per action (status, code, duration, error)."""
    from datetime import datetime

    def dur(rec):
        try:
            a = datetime.fromisoformat(rec["startTime"].replace("Z", "+00:00")[:26] + "+00:00")
            b = datetime.fromisoformat(rec["endTime"].replace("Z", "+00:00")[:26] + "+00:00")
            return f"{(b - a).total_seconds() * 1000:.1f} ms"
        except (KeyError, ValueError, AttributeError, TypeError):
            return "-"

    lines = [f"run {run.get('name')}  {run.get('status')}" + (
        f"  {run['error'].get('code')}: {run['error'].get('message')}" if run.get("error") else "")]
    trig = run.get("trigger") or {}
    lines.append(f"  trigger {trig.get('name')}  {trig.get('status')}")
    records = run.get("actions") or {}

    def line(name, rec, indent):
        err = rec.get("error")
        extra = f"  {err.get('code')}: {err.get('message')}" if isinstance(err, dict) else ""
        reps = f"  x{len(rec['repetitions'])}" if rec.get("repetitions") else ""
        lines.append(f"{'  ' * indent}{name}  {rec.get('status')}  {rec.get('code') or ''}  {dur(rec)}{reps}{extra}")

    if workflow is None:
        for name, rec in records.items():
            line(name, rec, 1)
        return "\n".join(lines)

    def walk(branch, indent):
        for action in branch.actions.values():
            rec = records.get(action.name)
            if rec is None:
                lines.append(f"{'  ' * indent}{action.name}  (not run)")
            else:
                line(action.name, rec, indent)
            for label, child in action.branches.items():
                if label != "actions":
                    lines.append(f"{'  ' * (indent + 1)}[{label}]")
                walk(child, indent + 2 if label != "actions" else indent + 1)

    walk(workflow.actions, 1)
    return "\n".join(lines)
