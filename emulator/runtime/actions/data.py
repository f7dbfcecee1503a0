"""Data operations: Compose, ParseJson, Query (Filter array), Select, Join, Table (CSV/HTML)."""

from __future__ import annotations

import html
import json

from ...expressions import ExpressionError
from ...expressions.values import Blob, blob_from_envelope, to_string, type_name
from ..context import with_item
from ..errors import ActionFailure, invalid_template
from ..schema_check import schema_errors
from .registry import Handler, action_type


def _array(step, value, what: str = "from") -> list:
    if isinstance(value, list):
        return value
    raise ActionFailure("InvalidTemplate", f"The '{what}' property value in the '{step.action.type}' action inputs "
                        f"is of type '{type_name(value)}'. The value must be an array.")


def _compile_parts(action, compiler, names):
    raw = action.raw.get("inputs") if isinstance(action.raw.get("inputs"), dict) else {}
    for name in names:
        if name in raw:
            action.compiled[name] = compiler.value(raw[name], f"{action.path}.inputs.{name}")
    rest = {k: v for k, v in raw.items() if k not in names}
    action.inputs = compiler.value(rest, f"{action.path}.inputs")


def _per_item(step, compiled, item):
    ctx = with_item(step.ctx, item)
    ctx.action = step.record
    try:
        return compiled.evaluate(ctx)
    except ExpressionError as err:
        raise invalid_template(step.name, err) from None


@action_type("Compose")
class Compose(Handler):
    object_inputs = False  # any JSON value

    @staticmethod
    def execute(step):
        value = step.evaluate_inputs()
        step.inputs = value
        step.outputs = value


@action_type("ParseJson")
class ParseJson(Handler):
    @staticmethod
    def execute(step):
        inputs = step.evaluate_inputs() or {}
        content = inputs.get("content")
        schema = inputs.get("schema")
        step.inputs = {"content": content, "schema": schema}
        blob = blob_from_envelope(content) if isinstance(content, dict) else None
        if isinstance(blob, Blob):
            content = blob.text()
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except json.JSONDecodeError as exc:
                raise ActionFailure("InvalidJSON", f"The 'content' property of actions of type 'ParseJson' must "
                                    f"be valid JSON. The provided value cannot be parsed: '{exc.msg}, line "
                                    f"{exc.lineno}, position {exc.colno}'.", record_code="BadRequest") from None
        step.outputs = {"body": content}
        errors = schema_errors(content, schema)
        if errors:
            raise ActionFailure("ValidationFailed", "The schema validation failed.", details=errors,
                                record_code="BadRequest", outputs={"body": content, "errors": errors})


@action_type("Query")
class Query(Handler):
    code = "NotSpecified"

    @classmethod
    def compile(cls, action, compiler):
        _compile_parts(action, compiler, ("where",))

    @staticmethod
    def execute(step):
        base = step.evaluate_inputs() or {}
        items = _array(step, base.get("from"))
        where = step.action.compiled.get("where")
        kept = []
        for item in items:
            ok = _per_item(step, where, item) if where is not None else True
            if isinstance(ok, str) and ok.lower() in ("true", "false"):
                ok = ok.lower() == "true"
            if ok is True:
                kept.append(item)
        step.inputs = {"from": items, "where": step.action.raw.get("inputs", {}).get("where")}
        step.outputs = {"body": kept}


@action_type("Select")
class Select(Handler):
    code = "NotSpecified"

    @classmethod
    def compile(cls, action, compiler):
        _compile_parts(action, compiler, ("select",))

    @staticmethod
    def execute(step):
        base = step.evaluate_inputs() or {}
        items = _array(step, base.get("from"))
        select = step.action.compiled.get("select")
        out = [_per_item(step, select, item) if select is not None else None for item in items]
        step.inputs = {"from": items, "select": step.action.raw.get("inputs", {}).get("select")}
        step.outputs = {"body": out}


@action_type("Join")
class Join(Handler):
    code = "NotSpecified"

    @staticmethod
    def execute(step):
        inputs = step.evaluate_inputs() or {}
        items = _array(step, inputs.get("from"))
        sep = to_string(inputs.get("joinWith", ""))
        step.inputs = inputs
        step.outputs = {"body": sep.join(to_string(i) for i in items)}


def _csv_cell(value) -> str:
    text = to_string(value)
    if any(c in text for c in ",\"\r\n"):
        return '"' + text.replace('"', '""') + '"'
    return text


@action_type("Table")
class Table(Handler):
    code = "NotSpecified"

    @classmethod
    def compile(cls, action, compiler):
        raw = action.raw.get("inputs") if isinstance(action.raw.get("inputs"), dict) else {}
        columns = raw.get("columns")
        if isinstance(columns, list):
            action.compiled["columns"] = [
                (compiler.value(c.get("header", ""), f"{action.path}.inputs.columns[{i}].header"),
                 compiler.value(c.get("value"), f"{action.path}.inputs.columns[{i}].value"))
                for i, c in enumerate(columns) if isinstance(c, dict)]
        action.inputs = compiler.value({k: v for k, v in raw.items() if k != "columns"}, f"{action.path}.inputs")

    @staticmethod
    def execute(step):
        inputs = step.evaluate_inputs() or {}
        items = _array(step, inputs.get("from"))
        fmt = str(inputs.get("format", "CSV")).upper()
        if fmt not in ("CSV", "HTML"):
            raise ActionFailure("InvalidTemplate", f"The 'format' of action '{step.name}' must be 'CSV' or 'HTML'.")
        columns = step.action.compiled.get("columns")
        if columns:
            headers = [to_string(step.evaluate(h)) for h, _ in columns]
            rows = [[_per_item(step, v, item) for _, v in columns] for item in items]
        else:
            headers = []
            for item in items:
                if not isinstance(item, dict):
                    raise ActionFailure("InvalidTemplate", f"The 'from' array of action '{step.name}' must hold "
                                        "objects when no 'columns' are given.")
                for key in item:
                    if key not in headers:
                        headers.append(key)
            rows = [[item.get(h) for h in headers] for item in items]
        if fmt == "CSV":
            lines = [",".join(_csv_cell(h) for h in headers)] + [",".join(_csv_cell(v) for v in r) for r in rows]
            body = "\r\n".join(lines) + "\r\n"
        else:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
            body_rows = "".join("<tr>" + "".join(f"<td>{html.escape(to_string(v))}</td>" for v in r) + "</tr>"
                                for r in rows)
            body = f"<table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>"
        step.inputs = {**inputs, "from": items}
        step.outputs = {"body": body}
