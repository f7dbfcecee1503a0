"""Workflow functions: read the run state (trigger, actions, variables, parameters, loops, scopes).

They read :class:`~emulator.expressions.context.EvalContext`, which the runtime fills as a run goes on
(and the conformance runner builds from a mapping).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from ..expressions.errors import ExpressionError
from ..expressions.registry import function
from ..expressions.values import lookup_key, to_string
from .args import want_int, want_str

CATEGORY = "workflow"


def _get(mapping: dict, name: str):
    """Exact name first, then case-insensitive (action and loop names are case-insensitive on the host)."""
    return lookup_key(mapping, name)


def _action_record(ctx, fn: str, name):
    name = want_str(fn, 0, name)
    try:
        return _get(ctx.actions, name)
    except KeyError:
        raise ExpressionError(
            f"The template language function '{fn}' cannot be evaluated: the action '{name}' is not defined "
            f"in the workflow or has not run yet."
        ) from None


def _field(record, key):
    if isinstance(record, dict):
        try:
            return lookup_key(record, key)
        except KeyError:
            return None
    return None


# --------------------------------------------------------------------------- trigger

@function("trigger", category=CATEGORY, context=True)
def trigger(ctx):
    return ctx.trigger if ctx.trigger is not None else {}


@function("triggerOutputs", category=CATEGORY, context=True, inline_try="{ctx}.trigger['outputs']")
def trigger_outputs(ctx):
    record = ctx.trigger
    if record.__class__ is dict and "outputs" in record:
        return record["outputs"]
    return _field(record, "outputs")


@function("triggerBody", category=CATEGORY, context=True, inline_try="{ctx}.trigger['outputs']['body']")
def trigger_body(ctx):
    outputs = trigger_outputs(ctx)
    if outputs.__class__ is dict and "body" in outputs:
        return outputs["body"]
    return _field(outputs, "body")


@function("triggerFormDataValue", min_args=1, category=CATEGORY, context=True)
def trigger_form_data_value(ctx, key):
    return _single_form_value("triggerFormDataValue", _form_values(trigger_body(ctx), key))


@function("triggerFormDataMultiValues", min_args=1, category=CATEGORY, context=True)
def trigger_form_data_multi_values(ctx, key):
    return _form_values(trigger_body(ctx), key)


@function("triggerMultipartBody", min_args=1, category=CATEGORY, context=True)
def trigger_multipart_body(ctx, index):
    return _multipart_part("triggerMultipartBody", trigger_body(ctx), index, 0)


# --------------------------------------------------------------------------- actions

@function("actions", min_args=1, category=CATEGORY, context=True)
def actions(ctx, name):
    return _action_record(ctx, "actions", name)


@function("action", category=CATEGORY, context=True)
def action(ctx):
    if ctx.action is None:
        raise ExpressionError(
            "The template language function 'action' is only allowed in a webhook's unsubscribe inputs, in "
            "tracked properties and in the conditions of an Until loop.")
    return ctx.action


@function("outputs", min_args=1, category=CATEGORY, context=True)
def outputs(ctx, name):
    return _field(_action_record(ctx, "outputs", name), "outputs")


@function("actionOutputs", min_args=1, category=CATEGORY, context=True)
def action_outputs(ctx, name):
    return _field(_action_record(ctx, "actionOutputs", name), "outputs")


@function("body", min_args=1, category=CATEGORY, context=True)
def body(ctx, name):
    return _field(_field(_action_record(ctx, "body", name), "outputs"), "body")


@function("actionBody", min_args=1, category=CATEGORY, context=True)
def action_body(ctx, name):
    return _field(_field(_action_record(ctx, "actionBody", name), "outputs"), "body")


@function("formDataValue", min_args=2, category=CATEGORY, context=True)
def form_data_value(ctx, name, key):
    data = _field(_field(_action_record(ctx, "formDataValue", name), "outputs"), "body")
    return _single_form_value("formDataValue", _form_values(data, key))


@function("formDataMultiValues", min_args=2, category=CATEGORY, context=True)
def form_data_multi_values(ctx, name, key):
    data = _field(_field(_action_record(ctx, "formDataMultiValues", name), "outputs"), "body")
    return _form_values(data, key)


@function("multipartBody", min_args=2, category=CATEGORY, context=True)
def multipart_body(ctx, name, index):
    data = _field(_field(_action_record(ctx, "multipartBody", name), "outputs"), "body")
    return _multipart_part("multipartBody", data, index, 1)


# --------------------------------------------------------------------------- form data and multipart

def _form_values(body, key) -> list:
    """All values for ``key`` in form-encoded or multipart form-data content."""
    key = to_string(key)
    if isinstance(body, dict):
        if isinstance(body.get("$formdata"), list):
            return [to_string(e.get("value")) for e in body["$formdata"]
                    if isinstance(e, dict) and e.get("key") == key]
        if isinstance(body.get("$multipart"), list):
            out = []
            for part in body["$multipart"]:
                if isinstance(part, dict) and _part_name(part) == key:
                    out.append(to_string(part.get("body")))
            return out
        blob_text = None
        if "$content" in body:
            from ..expressions.values import blob_from_envelope

            blob = blob_from_envelope(body)
            blob_text = blob.text() if blob is not None else None
        if blob_text is not None:
            return [v for k, v in parse_qsl(blob_text, keep_blank_values=True) if k == key]
    if isinstance(body, str):
        return [v for k, v in parse_qsl(body, keep_blank_values=True) if k == key]
    return []


def _part_name(part: dict) -> str | None:
    headers = part.get("headers") or {}
    disposition = None
    for k, v in headers.items():
        if k.lower() == "content-disposition":
            disposition = v
    if not isinstance(disposition, str):
        return None
    for piece in disposition.split(";"):
        piece = piece.strip()
        if piece.lower().startswith("name="):
            return piece[5:].strip().strip('"')
    return None


def _single_form_value(fn: str, values: list):
    if len(values) == 1:
        return values[0]
    if not values:
        raise ExpressionError(f"The template language function '{fn}' found no form data value for the key.")
    raise ExpressionError(
        f"The template language function '{fn}' expects a single form data value for the key; found "
        f"{len(values)}. Use '{fn.replace('Value', 'MultiValues')}' instead.")


def _multipart_part(fn: str, body, index, arg_index: int):
    index = want_int(fn, arg_index, index, "of type integer")
    parts = body.get("$multipart") if isinstance(body, dict) else None
    if not isinstance(parts, list):
        raise ExpressionError(f"The template language function '{fn}' expects multipart content.")
    if not 0 <= index < len(parts):
        raise ExpressionError(
            f"The template language function '{fn}' cannot select part '{index}': the content has "
            f"{len(parts)} parts.")
    part = parts[index]
    return part.get("body") if isinstance(part, dict) else part


# --------------------------------------------------------------------------- state

def _lookup(fn: str, mapping: dict, name, missing: str, *, exact: bool = False):
    """``mapping[name]`` (case-insensitive unless ``exact``), or the host-style ``missing`` error."""
    name = want_str(fn, 0, name)
    try:
        return mapping[name] if exact else _get(mapping, name)
    except KeyError:
        raise ExpressionError(missing.format(name=name)) from None


@function("variables", min_args=1, category=CATEGORY, context=True)
def variables(ctx, name):
    return _lookup("variables", ctx.variables, name,
                   "The template language function 'variables' cannot be evaluated: the variable '{name}' is "
                   "not initialized. Add an 'Initialize variable' action for it at the top level of the workflow.")


@function("parameters", min_args=1, category=CATEGORY, context=True)
def parameters(ctx, name):
    return _lookup("parameters", ctx.parameters, name, "The workflow parameter '{name}' is not found.", exact=True)


@function("appsetting", min_args=1, category=CATEGORY, context=True)
def appsetting(ctx, name):
    return _lookup("appsetting", ctx.appsettings, name, "The app setting '{name}' is not found.", exact=True)


@function("workflow", category=CATEGORY, context=True)
def workflow(ctx):
    return ctx.workflow if ctx.workflow is not None else {}


@function("listCallbackUrl", category=CATEGORY, context=True)
def list_callback_url(ctx):
    """The runtime sets ``ctx.extra["listCallbackUrl"]`` for webhook inputs; elsewhere a placeholder URL of
    the host's shape is returned (documented in docs/fidelity.md)."""
    url = ctx.extra.get("listCallbackUrl")
    if url is None:
        wf = ctx.workflow if isinstance(ctx.workflow, dict) else {}
        run = wf.get("run") if isinstance(wf.get("run"), dict) else {}
        name = to_string(wf.get("name") or "workflow")
        run_id = to_string(run.get("name") or "0")
        current = ctx.action.get("name") if isinstance(ctx.action, dict) else "action"
        url = (f"https://localhost/workflows/{name}/runs/{run_id}/actions/{current}/run"
               f"?api-version=2016-06-01")
    return url


# --------------------------------------------------------------------------- loops and scopes

@function("item", category=CATEGORY, context=True)
def item(ctx):
    if not ctx.has_item:
        raise ExpressionError(
            "The template language function 'item' must be called from within a 'foreach' loop or the "
            "'select', 'query' or 'table' actions.")
    return ctx.item


@function("items", min_args=1, category=CATEGORY, context=True)
def items(ctx, name):
    return _lookup("items", ctx.items, name,
                   "The template language function 'items' must be called from within the 'foreach' loop "
                   "'{name}'.")


@function("iterationIndexes", min_args=1, category=CATEGORY, context=True)
def iteration_indexes(ctx, name):
    return _lookup("iterationIndexes", ctx.iteration_indexes, name,
                   "The template language function 'iterationIndexes' must be called from within the 'until' "
                   "loop '{name}'.")


@function("result", min_args=0, max_args=1, category=CATEGORY, context=True)
def result(ctx, name=None):
    if name is None:
        name = ctx.extra.get("current_scope")
        if name is None:
            raise ExpressionError("The template language function 'result' expects the name of a scoped action.")
    name = want_str("result", 0, name)
    try:
        return _get(ctx.results, name)
    except KeyError:
        pass
    if ctx.result_provider is not None:
        found = ctx.result_provider(name)
        if found is not None:
            return found
    raise ExpressionError(
        f"The template language function 'result' cannot be evaluated: the scoped action '{name}' is not "
        f"defined or has not run yet.")


# --------------------------------------------------------------------------- agent loops (Standard "Agent" action)

@function("agentParameters", min_args=1, category=CATEGORY, context=True)
def agent_parameters(ctx, name):
    """A parameter the agent's model chose for the tool being run (``ctx.extra["agentParameters"]``)."""
    name = want_str("agentParameters", 0, name)
    params = ctx.extra.get("agentParameters")
    if not isinstance(params, dict):
        raise ExpressionError(
            "The template language function 'agentParameters' is only valid inside the tools of an agent loop.")
    try:
        return _get(params, name)
    except KeyError:
        raise ExpressionError(f"The agent parameter '{name}' is not defined for this tool.") from None


@function("assistantMessage", category=CATEGORY, context=True)
def assistant_message(ctx):
    """The agent's latest assistant message (``ctx.extra["assistantMessage"]``), or null."""
    return ctx.extra.get("assistantMessage")


@function("channelTriggerBody", category=CATEGORY, context=True)
def channel_trigger_body(ctx):
    """The body that started the agent's channel (``ctx.extra["channelTriggerBody"]``), or null."""
    return ctx.extra.get("channelTriggerBody")
