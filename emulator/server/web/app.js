// Training dashboard: plain JavaScript, no build step, no request outside this page's origin.
// Reads the management API only (docs/dashboard.md lists every endpoint used); live calls come from the
// server-sent events at /events (no polling loop).
"use strict";

const state = {
  flows: [],          // [{name, state, definition, triggers: [{name, method, relativePath, params, callback, protections}]}]
  presets: {},
  feed: null,         // the EventSource
  newestRun: null,    // {workflow, runId}
  openRun: null,      // {workflow, runId} shown in the run view
  pane: "flows",
  revealSecrets: false,
  gateway: null,      // GET /gateway, or null without a gateway
  gatewayCalls: [],   // the newest gateway calls from the live feed
  gatewayKeys: {},    // subscription -> {primaryKey, secondaryKey}, once asked for
};

const SECRET_NAME = /(secret|token|password|passwd|authorization|apikey|api-key|sig|key)$/i;
const MAX_CALLS = 200;

// What a refusal's error code means, in words a trainer can read out.
const REFUSALS = {
  DirectApiAuthorizationRequired: "no signature (sig) and no token",
  DirectApiInvalidAuthorizationSignature: "the sig does not match: wrong or tampered URL",
  DirectApiRequestHasMoreThanOneAuthorization: "both a sig and a token: only one is allowed",
  DirectApiInvalidAuthorizationScheme: "an Authorization scheme other than Bearer",
  OAuthAccessPolicyNotFound: "a token was sent, but the flow has no OAuth policy",
  MisMatchingOAuthClaims: "the token's claims do not match the OAuth policy",
  AuthorizationFailed: "this caller is not allowed (IP rules, or a gateway-only flow called directly)",
  InvalidAccessControlConfiguration: "the flow's access control cannot be read",
  WorkflowTriggerIsNotEnabled: "the workflow is disabled",
  TriggerRequestMethodNotValid: "wrong HTTP method",
  TriggerRequestPathNotValid: "the path does not match the trigger's relative path",
  TriggerInputSchemaMismatch: "the body does not match the trigger's schema",
  InvalidRequestContent: "the body is not valid JSON",
  RequestContentTooLarge: "the body is too large",
  WorkflowRequestsThrottled: "too many calls at once (concurrency limit)",
  MissingApiVersionParameter: "api-version is missing from the URL",
  WorkflowNotFound: "no such workflow",
  TriggerNotFound: "no such trigger",
};

// ---------------------------------------------------------------- small helpers
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function sameOrigin(url) {
  try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
}

async function api(path, options) {
  if (!sameOrigin(path)) throw new Error("refusing a request outside this origin: " + path);
  const resp = await fetch(path, options);
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  if (!resp.ok) {
    const err = new Error((data && data.error && data.error.message) || resp.status + " " + resp.statusText);
    err.status = resp.status;
    throw err;
  }
  return data;
}

async function listAll(path) {
  // A management list: {value, nextLink?}; next pages followed while they stay on this origin.
  let out = [];
  let next = path;
  for (let page = 0; next && page < 50; page++) {
    const data = await api(next);
    out = out.concat((data && data.value) || []);
    next = data && data.nextLink && sameOrigin(data.nextLink) ? data.nextLink : null;
  }
  return out;
}

const enc = encodeURIComponent;
function wfPath(name) { return "/workflows/" + enc(name); }

function chip(text, cls) { return h("span", { class: "chip " + (cls || text || "") }, text || "?"); }
function httpChip(status) { return h("span", { class: "chip s" + String(status)[0], title: "HTTP status" }, String(status)); }

function clock(iso) {
  const d = iso ? new Date(iso) : new Date();
  return isNaN(d) ? "" : d.toLocaleTimeString([], { hour12: false });
}

function duration(start, end) {
  const a = Date.parse(start), b = Date.parse(end);
  if (isNaN(a) || isNaN(b)) return "";
  const ms = b - a;
  return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(2) + " s";
}

function masked(value, name) {
  // Secret-looking values are shown as dots until "Show secrets" is on.
  if (state.revealSecrets) return value;
  if (Array.isArray(value)) return value.map((v) => masked(v, name));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = masked(v, k);
    return out;
  }
  if (name && SECRET_NAME.test(name) && typeof value === "string" && value) return "••••••";
  return value;
}

function pretty(value) {
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const area = h("textarea", {}, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const old = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = old; }, 1200);
}

// ---------------------------------------------------------------- panes and keyboard
function showPane(name) {
  state.pane = name;
  for (const tab of document.querySelectorAll(".tabs [role=tab]")) {
    const on = tab.dataset.pane === name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
  }
  for (const pane of document.querySelectorAll(".pane")) pane.hidden = pane.id !== "pane-" + name;
  if (name !== "run") state.openRun = null;
  if (name === "outbox") loadOutbox();
  if (name === "gateway") loadGateway();
}

function setZoom(on) {
  document.documentElement.classList.toggle("presenter", on);
  document.getElementById("zoom").setAttribute("aria-pressed", on ? "true" : "false");
  try { localStorage.setItem("presenter", on ? "1" : ""); } catch (e) { /* private mode */ }
}

function keyboard() {
  const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => showPane(tab.dataset.pane));
    tab.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(tab);
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        next.focus();
        showPane(next.dataset.pane);
        e.preventDefault();
      }
    });
  }
  document.getElementById("zoom").addEventListener("click", () =>
    setZoom(!document.documentElement.classList.contains("presenter")));
  document.getElementById("help").addEventListener("click", () => document.getElementById("keys-help").showModal());
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    const panes = { "1": "flows", "2": "try", "3": "outbox", "4": "gateway" };
    if (panes[e.key]) { showPane(panes[e.key]); document.getElementById("tab-" + panes[e.key]).focus(); }
    else if (e.key === "z") setZoom(!document.documentElement.classList.contains("presenter"));
    else if (e.key === "?") document.getElementById("keys-help").showModal();
    else if (e.key === "r" && state.newestRun) openRun(state.newestRun.workflow, state.newestRun.runId);
    else if (e.key === "Escape" && state.pane === "run") closeRun();
  });
}

// ---------------------------------------------------------------- flows
async function loadFlows() {
  const box = document.getElementById("flows");
  try {
    try { state.presets = await api("/dashboard/presets.json"); } catch (e) { state.presets = {}; }
    state.gateway = await readGateway();
    const workflows = await listAll("/workflows");
    state.flows = await Promise.all(workflows.map(loadFlow));
  } catch (e) {
    box.replaceChildren(h("p", { class: "error" }, "Could not read the workflows: " + e.message));
    return;
  }
  renderFlows();
  fillTryTargets();
}

async function loadFlow(resource) {
  const name = resource.name;
  const props = resource.properties || {};
  const definition = props.definition || {};
  let described = { value: [] };
  try { described = await api(wfPath(name) + "/protection"); } catch (e) { /* older server: none */ }
  const byTrigger = Object.fromEntries((described.value || []).map((t) => [t.trigger.toLowerCase(), t]));
  let audit = { triggers: [], findings: [] };
  try { audit = await api(wfPath(name) + "/audit"); } catch (e) { /* a server without the audit */ }
  const triggers = [];
  for (const [tname, tdef] of Object.entries(definition.triggers || {})) {
    if (String(tdef.type || "").toLowerCase() !== "request") continue;
    const inputs = tdef.inputs || {};
    const info = byTrigger[tname.toLowerCase()] || {};
    let callback = null;
    try {
      callback = await api(wfPath(name) + "/triggers/" + enc(tname) + "/listCallbackUrl",
        { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    } catch (e) { callback = { error: e.message }; }
    const relativePath = info.relativePath || inputs.relativePath || null;
    const fronts = gatewayItems(name, tname);
    triggers.push({
      name: tname, method: (info.method || inputs.method || "POST").toUpperCase(), relativePath,
      params: (callback && callback.relativePathParameters) || paramNames(relativePath),
      callback, protections: (info.protections || []).concat(fronts), schema: inputs.schema || null,
      audit: (audit.triggers || []).find((t) => t.trigger.toLowerCase() === tname.toLowerCase()) || null,
      findings: (audit.findings || []).filter((f) => !f.trigger || f.trigger.toLowerCase() === tname.toLowerCase()),
    });
  }
  return { name, state: props.state || "Enabled", definition, triggers };
}

async function readGateway() {
  try { return await api("/gateway"); } catch (e) { return null; }
}

const GATEWAY_WHY = "Callers meet the gateway's checks first: per-team keys that can be revoked, token checks, " +
  "rate limits. Unless the flow is gateway-only, its own callback URL still skips them all.";

function gatewayItems(workflow, trigger) {
  // The APIs of the gateway (GET /gateway) that forward to this workflow's trigger.
  const apis = ((state.gateway && state.gateway.apis) || []).filter((a) => a.backend && a.backend.workflow &&
    a.backend.workflow.toLowerCase() === workflow.toLowerCase() &&
    (!a.backend.trigger || a.backend.trigger.toLowerCase() === trigger.toLowerCase()));
  return apis.map((a) => {
    const key = a.subscriptionRequired ? "A subscription key is required (header " + a.subscriptionKeyParameterNames.header +
      " or query " + a.subscriptionKeyParameterNames.query + "). " : "No subscription key is required. ";
    const inbound = a.inbound && a.inbound.length ? "Inbound policies, in order: " + a.inbound.join(", ") + "." : "No inbound policy.";
    return { kind: "gateway", title: "Behind API Management: API '" + a.name + "' (/" + a.path + ")",
      detail: key + inbound, why: GATEWAY_WHY };
  });
}

function paramNames(template) {
  return [...String(template || "").matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

function presetsFor(flow, trigger) {
  const byFlow = state.presets[flow] || {};
  return byFlow[trigger] || [];
}

function exampleBody(trigger) {
  const props = (trigger.schema && trigger.schema.properties) || {};
  const out = {};
  for (const [k, v] of Object.entries(props)) out[k] = v.type === "number" || v.type === "integer" ? 1 : "example";
  return Object.keys(out).length ? out : null;
}

function snippetCall(flow, trigger) {
  // The "right" preset (or an example) as the URL, headers and body of the snippets.
  const right = presetsFor(flow.name, trigger.name).find((p) => p.kind === "right") || {};
  const url = buildUrl(trigger, right.params || {}, right.sig || "valid", "");
  const headers = Object.assign({}, right.headers || {});
  const body = right.body !== undefined ? right.body : exampleBody(trigger);
  const oauth = trigger.protections.some((p) => p.kind === "oauth");
  return { url, headers, body, oauth, bearer: right.bearer };
}

function curlSnippet(flow, trigger) {
  const c = snippetCall(flow, trigger);
  const lines = [];
  if (c.oauth && c.bearer) {
    lines.push(`TOKEN=$(python -m emulator token --tenant ${c.bearer.tenant} --aud ${c.bearer.resource})`);
  }
  const parts = [`curl -i -X ${trigger.method} "${c.url}"`];
  if (c.oauth) parts.push(`-H "Authorization: Bearer $TOKEN"`);
  for (const [k, v] of Object.entries(c.headers)) parts.push(`-H "${k}: ${v}"`);
  if (c.body !== null && c.body !== undefined && trigger.method !== "GET") {
    parts.push(`-H "Content-Type: application/json"`, `-d '${JSON.stringify(c.body)}'`);
  }
  lines.push(parts.join(" \\\n  "));
  return lines.join("\n");
}

function psSnippet(flow, trigger) {
  const c = snippetCall(flow, trigger);
  const lines = [];
  const headers = Object.assign({}, c.headers);
  if (c.oauth && c.bearer) {
    lines.push(`$token = python -m emulator token --tenant ${c.bearer.tenant} --aud ${c.bearer.resource}`);
  }
  const hs = Object.entries(headers).map(([k, v]) => `'${k}' = '${v}'`);
  if (c.oauth) hs.push(`'Authorization' = "Bearer $token"`);
  const method = trigger.method.charAt(0) + trigger.method.slice(1).toLowerCase();
  let cmd = `Invoke-WebRequest -Method ${method} -Uri '${c.url}'`;
  if (hs.length) cmd += ` \`\n  -Headers @{ ${hs.join("; ")} }`;
  if (c.body !== null && c.body !== undefined && trigger.method !== "GET") {
    cmd += ` \`\n  -ContentType 'application/json' -Body '${JSON.stringify(c.body)}'`;
  }
  lines.push(cmd);
  return lines.join("\n");
}

function protectionItem(p) {
  const detail = [h("span", { class: "title" }, p.title), ": ", p.detail];
  if (p.claims && p.claims.length) {
    detail.push(h("ul", {}, p.claims.map((c) => h("li", {}, h("code", {}, c.name), " = ", h("code", {}, c.value)))));
  }
  if (p.expression) detail.push(h("div", {}, h("code", {}, p.expression)));
  return h("li", { class: "kind-" + p.kind, "data-kind": p.kind }, detail, h("span", { class: "why" }, h("strong", {}, "Why it matters: "), p.why));
}

const CHECK_WHY = "A check inside the flow runs after the run has started: every caller, right or wrong, " +
  "starts a run, and a wrong one gets the flow's own answer.";

function auditBlock(t) {
  const checks = ((t.audit && t.audit.checks) || []).filter((c) => c.kind !== "trigger-condition");
  const refused = (t.audit && t.audit.refused) || [];
  const out = [];
  if (checks.length) {
    const words = (c) => c.kind === "condition"
      ? c.reads + (c.negated ? " must not be " : " is compared (") + (c.negated ? "" : c.comparison + ") with ") + c.against
      : c.reads + " checked against " + c.against;
    out.push(h("ul", { class: "protections" }, h("li", { class: "kind-check", "data-kind": "check" },
      h("span", { class: "title" }, "Checked inside the flow"),
      h("ul", {}, checks.map((c) => h("li", {}, words(c), " at ", h("code", {}, c.path)))),
      h("span", { class: "why" }, h("strong", {}, "Why it matters: "), CHECK_WHY))));
  }
  if (refused.length) {
    out.push(h("h3", {}, "What a refused caller gets"),
      h("ul", { class: "refused" }, refused.map((r) => h("li", {}, httpChip(r.status), " ", r.code ? h("code", {}, r.code) : null,
        r.code ? " " : null, r.when || ""))));
  }
  if (t.findings.length) {
    out.push(h("h3", {}, "Audit findings"),
      h("ul", { class: "findings" }, t.findings.map((f) => h("li", { class: "finding sev-" + f.severity, "data-rule": f.rule },
        h("span", { class: "chip sev-" + f.severity }, f.severity), " ", h("strong", {}, f.rule), ": ", f.message,
        h("div", { class: "fix" }, h("strong", {}, "Fix: "), f.fix)))));
  }
  return out;
}

function renderFlows() {
  const box = document.getElementById("flows");
  if (!state.flows.length) {
    box.replaceChildren(h("p", { class: "muted" }, "No workflows are served. Put flows in the served folder."));
    return;
  }
  box.replaceChildren(...state.flows.map((flow) => h("article", { class: "flow", "data-flow": flow.name },
    h("h2", {}, flow.name, flow.state !== "Enabled" ? h("span", { class: "chip Failed" }, flow.state) : null),
    flow.triggers.length ? null : h("p", { class: "muted" }, "No Request trigger."),
    flow.triggers.map((t) => h("section", { class: "trigger", "data-trigger": t.name },
      h("div", { class: "trigger-line" },
        h("span", { class: "method" }, t.method),
        h("code", {}, t.relativePath ? "/" + String(t.relativePath).replace(/^\//, "") : "(no relative path)"),
        h("span", { class: "muted" }, "trigger " + t.name),
        h("button", { onclick: () => { selectTarget(flow.name, t.name); showPane("try"); } }, "Try it")),
      h("h3", {}, "Protection in force"),
      h("ul", { class: "protections" }, t.protections.map(protectionItem)),
      auditBlock(t),
      t.callback && t.callback.value ? h("div", { class: "urlbox" },
        h("input", { readonly: true, value: t.callback.value, "aria-label": "Callback URL of " + flow.name }),
        h("button", { onclick: (e) => copy(t.callback.value, e.target) }, "Copy URL")) :
        h("p", { class: "error" }, "No callback URL: " + ((t.callback && t.callback.error) || "")),
      h("details", { class: "snippets" }, h("summary", {}, "curl and PowerShell"),
        h("pre", { "aria-label": "curl" }, curlSnippet(flow, t)),
        h("button", { onclick: (e) => copy(curlSnippet(flow, t), e.target) }, "Copy curl"),
        h("pre", { "aria-label": "PowerShell" }, psSnippet(flow, t)),
        h("button", { onclick: (e) => copy(psSnippet(flow, t), e.target) }, "Copy PowerShell")))))));
}

// ---------------------------------------------------------------- try it
function fillTryTargets() {
  const select = document.getElementById("try-target");
  const before = select.value;
  select.replaceChildren(...state.flows.flatMap((f) => f.triggers.map((t) =>
    h("option", { value: f.name + "\u0000" + t.name }, f.name + " · " + t.name))));
  if ([...select.options].some((o) => o.value === before)) {
    select.value = before;  // a reload keeps what the form holds
    const { trigger } = currentTarget();
    if (trigger) updateTryUrl();
  } else if (select.options.length) {
    selectTarget(...select.value.split("\u0000"));
  }
}

function currentTarget() {
  const [flow, trigger] = document.getElementById("try-target").value.split("\u0000");
  const f = state.flows.find((x) => x.name === flow);
  return f ? { flow: f, trigger: f.triggers.find((t) => t.name === trigger) } : {};
}

function selectTarget(flowName, triggerName) {
  const select = document.getElementById("try-target");
  select.value = flowName + "\u0000" + triggerName;
  const { flow, trigger } = currentTarget();
  if (!trigger) return;
  document.getElementById("try-method").value = trigger.method;
  document.getElementById("try-sig").value = "valid";
  document.getElementById("try-query").value = "";
  document.getElementById("try-headers").value = "";
  const example = exampleBody(trigger);
  document.getElementById("try-body").value = example && trigger.method !== "GET" ? JSON.stringify(example, null, 2) : "";
  const params = document.getElementById("try-params");
  params.replaceChildren(...trigger.params.map((p) => h("span", { class: "params" },
    h("label", { for: "try-param-" + p }, p), h("input", { id: "try-param-" + p, "data-param": p, value: "" }))));
  document.getElementById("try-params-row").hidden = !trigger.params.length;
  const presets = presetsFor(flow.name, trigger.name);
  const generic = [
    { label: "Valid sig", kind: "right", sig: "valid" },
    { label: "Wrong sig", kind: "wrong", sig: "wrong" },
    { label: "No sig", kind: "none", sig: "none" },
  ];
  document.getElementById("try-presets").replaceChildren(h("strong", {}, "Presets:"),
    ...(presets.length ? presets : generic).map((p) => h("button", {
      type: "button", class: "preset", "data-kind": p.kind, onclick: () => applyPreset(p),
    }, p.label)));
  document.getElementById("try-result").replaceChildren();
  updateTryUrl();
}

async function applyPreset(p) {
  const { trigger } = currentTarget();
  document.getElementById("try-sig").value = p.sig || "valid";
  for (const input of document.querySelectorAll("#try-params input")) input.value = (p.params || {})[input.dataset.param] || "";
  document.getElementById("try-query").value = Object.entries(p.query || {}).map(([k, v]) => k + "=" + v).join("\n");
  const headers = Object.entries(p.headers || {}).map(([k, v]) => k + ": " + v);
  if (p.bearer) {
    try {
      const token = await mintToken(p.bearer);
      headers.unshift("Authorization: Bearer " + token);
    } catch (e) {
      headers.unshift("# could not get a token: " + e.message);
    }
  }
  document.getElementById("try-headers").value = headers.join("\n");
  const body = p.body !== undefined ? p.body : exampleBody(trigger);
  document.getElementById("try-body").value = body !== null && trigger.method !== "GET" ? JSON.stringify(body, null, 2) : "";
  updateTryUrl();
  document.getElementById("try-send").focus();
}

async function mintToken(bearer) {
  // The emulator's local Entra ID issuer (same origin): client credentials, v1 token for the resource.
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: "training-dashboard", resource: bearer.resource });
  const data = await api("/" + enc(bearer.tenant) + "/oauth2/token", {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString(),
  });
  return data.access_token;
}

function buildUrl(trigger, params, sig, extraQuery) {
  const cb = trigger.callback || {};
  let base = cb.basePath || "";
  for (const name of trigger.params) {
    const value = params[name];
    base = base.replace("{" + name + "}", value ? enc(value) : "{" + name + "}");
  }
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(cb.queries || {})) {
    if (sig === "none" && (k === "sig" || k === "sp" || k === "sv")) continue;
    q.append(k, k === "sig" && sig === "wrong" ? wrongSig(v) : v);
  }
  for (const line of String(extraQuery || "").split("\n")) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const i = t.indexOf("=");
    q.append(i < 0 ? t : t.slice(0, i), i < 0 ? "" : t.slice(i + 1));
  }
  return base + "?" + q.toString();
}

function wrongSig(sig) {
  const s = String(sig || "AAAA");
  return (s[0] === "A" ? "B" : "A") + s.slice(1);
}

function formParams() {
  const out = {};
  for (const input of document.querySelectorAll("#try-params input")) out[input.dataset.param] = input.value;
  return out;
}

function updateTryUrl() {
  const { trigger } = currentTarget();
  if (!trigger) return;
  const url = buildUrl(trigger, formParams(), document.getElementById("try-sig").value,
    document.getElementById("try-query").value);
  document.getElementById("try-url").textContent = url.replace(/([?&]sig=)[^&]*/, "$1…");
}

async function sendTry(e) {
  e.preventDefault();
  const { flow, trigger } = currentTarget();
  if (!trigger) return;
  const url = buildUrl(trigger, formParams(), document.getElementById("try-sig").value,
    document.getElementById("try-query").value);
  const headers = new Headers();
  for (const line of document.getElementById("try-headers").value.split("\n")) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const i = t.indexOf(":");
    if (i > 0) headers.append(t.slice(0, i).trim(), t.slice(i + 1).trim());
  }
  const method = document.getElementById("try-method").value.trim().toUpperCase() || "POST";
  const bodyText = document.getElementById("try-body").value;
  const init = { method, headers };
  if (bodyText.trim() && method !== "GET" && method !== "HEAD") {
    init.body = bodyText;
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const out = document.getElementById("try-result");
  out.replaceChildren(h("p", { class: "muted" }, "Sending…"));
  if (!sameOrigin(url)) { out.replaceChildren(h("p", { class: "error" }, "Not this server's URL.")); return; }
  const started = performance.now();
  let resp, text;
  try {
    resp = await fetch(url, init);
    text = await resp.text();
  } catch (err) {
    out.replaceChildren(h("p", { class: "error" }, "The request failed: " + err.message));
    return;
  }
  const ms = Math.round(performance.now() - started);
  const runId = resp.headers.get("x-ms-workflow-run-id");
  let body = text;
  let code = null;
  try {
    const parsed = text ? JSON.parse(text) : null;
    body = parsed === null ? "(empty body)" : JSON.stringify(parsed, null, 2);
    code = parsed && parsed.error && parsed.error.code;
  } catch (err) { /* not JSON */ }
  const headerRows = [...resp.headers.entries()].map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)));
  out.replaceChildren(h("div", { class: "result", id: "try-answer", "data-status": resp.status },
    h("div", { class: "run-head" }, httpChip(resp.status), h("strong", {}, resp.statusText), h("span", {}, ms + " ms"),
      runId ? h("button", { class: "linkish", id: "try-open-run", onclick: () => openRun(flow.name, runId) }, "Open run " + runId)
        : h("span", { class: "muted" }, resp.status === 202 ? "No run started (202 without a run: the trigger condition was false)." : "No run started.")),
    code && !runId ? h("p", { class: "error" }, "Refused: " + code + (REFUSALS[code] ? " · " + REFUSALS[code] : "")) : null,
    h("h3", {}, "Body"), h("pre", {}, body),
    h("details", {}, h("summary", {}, "Headers (" + headerRows.length + ")"),
      h("table", { class: "simple headers" }, headerRows))));
  out.scrollIntoView({ block: "nearest" });
}

// ---------------------------------------------------------------- live calls
function connectFeed() {
  const live = document.getElementById("live");
  const feed = new EventSource("/events");
  state.feed = feed;
  feed.onopen = () => { live.textContent = "live"; live.className = "live on"; };
  feed.onerror = () => { live.textContent = "reconnecting…"; live.className = "live off"; };
  feed.addEventListener("call", (e) => onCall(JSON.parse(e.data)));
  feed.addEventListener("run", (e) => onRunEnded(JSON.parse(e.data)));
}

function gatewayLine(ev) {
  if (ev.outcome === "forwarded") {
    return [chip("Forwarded", "Running"), h("span", { class: "why" }, "to " + (ev.workflow || "the backend") +
      (ev.subscription ? " · subscription " + ev.subscription : ""))];
  }
  return [chip(ev.outcome === "refused" ? "Refused" : "Answered", ev.outcome === "refused" ? "Failed" : "Skipped"),
    h("span", { class: "why" }, "by the gateway's " + (ev.answeredBy || "policy") +
      (ev.subscription ? " · subscription " + ev.subscription : ""))];
}

function outcomeLine(ev) {
  if (ev.source === "gateway") return gatewayLine(ev);
  if (ev.runId) {
    return [h("span", {}, "run"),
      h("button", { class: "linkish mono runid", onclick: () => openRun(ev.workflow, ev.runId) }, ev.runId),
      chip(ev.runStatus || "Running", ev.runStatus || "Running")];
  }
  if (ev.outcome === "skipped") {
    return [chip("Skipped", "skipped"), h("span", { class: "why" }, "trigger condition false: no run")];
  }
  const words = REFUSALS[ev.code];
  return [chip("Refused", "Failed"), h("span", { class: "why" }, (ev.source === "gateway" ? "gateway: " : "") +
    (ev.code || "refused") + (words ? " · " + words : ""))];
}

function onCall(ev) {
  const list = document.getElementById("calls");
  document.getElementById("calls-empty").hidden = true;
  const li = h("li", { class: "call fresh", "data-run-id": ev.runId || "", "data-status": ev.status,
    "data-workflow": ev.workflow || "", "data-outcome": ev.outcome || "", "data-source": ev.source || "" },
    h("div", { class: "l1" }, h("span", { class: "mono" }, clock(ev.time)), httpChip(ev.status),
      ev.source === "gateway" ? h("span", { class: "chip gw" }, "gateway") : null,
      h("span", { class: "wf" }, ev.source === "gateway" ? (ev.api || "?") + (ev.operation ? " · " + ev.operation : "")
        : ev.workflow || "?"),
      h("span", { class: "muted" }, ev.method + (ev.source === "gateway" ? " " + (ev.path || "") : "")),
      h("span", { class: "muted" }, ev.durationMs + " ms")),
    h("div", { class: "l2" }, outcomeLine(ev)));
  list.prepend(li);
  while (list.children.length > MAX_CALLS) list.lastElementChild.remove();
  if (ev.runId) state.newestRun = { workflow: ev.workflow, runId: ev.runId };
  if (ev.source !== "gateway" && ev.workflow && ev.status !== 404 && state.flows.length &&
      !state.flows.some((f) => f.name.toLowerCase() === ev.workflow.toLowerCase())) {
    loadFlows();  // a flow added since the page was opened (hot reload)
  }
  if (ev.source === "gateway") {
    state.gatewayCalls.unshift(ev);
    state.gatewayCalls.length = Math.min(state.gatewayCalls.length, 50);
    if (state.pane === "gateway") renderGateway();
  }
}

function onRunEnded(ev) {
  for (const li of document.querySelectorAll("#calls li[data-run-id]")) {
    if (li.dataset.runId !== ev.runId) continue;
    const old = li.querySelector(".l2 .chip");
    if (old) old.replaceWith(chip(ev.status, ev.status));
  }
  if (state.openRun && state.openRun.runId === ev.runId) openRun(ev.workflow, ev.runId);
  if (state.pane === "outbox") loadOutbox();
}

// ---------------------------------------------------------------- run view
function closeRun() {
  showPane(state.returnPane || "flows");
}

function order(actions) {
  // Actions in the order they can run (runAfter), the definition's order among equals.
  const names = Object.keys(actions || {});
  const placed = [];
  const done = new Set();
  while (placed.length < names.length) {
    const before = placed.length;
    for (const n of names) {
      if (done.has(n)) continue;
      const deps = Object.keys((actions[n] && actions[n].runAfter) || {});
      if (deps.every((d) => done.has(d) || !(d in actions))) { placed.push(n); done.add(n); }
    }
    if (placed.length === before) { for (const n of names) if (!done.has(n)) { placed.push(n); done.add(n); } }
  }
  return placed;
}

function branchRan(actions, records) {
  return Object.keys(actions || {}).some((n) => records[n] && (records[n].properties || {}).status !== "Skipped");
}

function ioBlock(label, props, key, secured) {
  const linkKey = key + "Link";
  if (props[key] === "<secured>" || (secured && !(key in props) && !props[linkKey])) {
    return h("div", { class: "io" }, h("strong", {}, label + ": "), h("span", { class: "secured" }, "secured: hidden by the runtime"));
  }
  if (key in props) {
    return h("details", { class: "io" }, h("summary", {}, label), h("pre", {}, pretty(masked(props[key], key))));
  }
  const link = props[linkKey];
  if (link && link.uri && sameOrigin(link.uri)) {
    const pre = h("pre", {}, "Loading…");
    const det = h("details", { class: "io" }, h("summary", {}, label), pre);
    det.addEventListener("toggle", async () => {
      if (!det.open || det.dataset.loaded) return;
      det.dataset.loaded = "1";
      try { pre.textContent = pretty(masked(await api(link.uri), key)); } catch (e) { pre.textContent = e.message; }
    });
    return det;
  }
  return null;
}

function actionNode(ctx, name, def, inLoop) {
  const rec = ctx.records[name];
  const props = rec ? rec.properties || {} : {};
  const status = rec ? props.status : "NotRun";
  const type = def.type || "";
  const secure = ((def.runtimeConfiguration || {}).secureData || {}).properties || [];
  const li = h("li", { class: "node", "data-action": name, "data-status": status },
    h("div", { class: "line" }, chip(status === "NotRun" ? "Not run" : status, status), h("span", { class: "name" }, name),
      h("span", { class: "type" }, type), h("span", { class: "muted" }, duration(props.startTime, props.endTime)),
      props.code && props.code !== "OK" && props.code !== "NotSpecified" ? h("span", { class: "muted" }, props.code) : null));
  if (props.error && status !== "Skipped") {
    li.append(h("div", { class: "error" }, (props.error.code || "Error") + ": " + (props.error.message || "")));
  } else if (props.error && status === "Skipped") {
    li.append(h("div", { class: "muted small" }, props.error.message || ""));
  }
  if (rec) {
    li.append(...[ioBlock("Inputs", props, "inputs", secure.includes("inputs")),
      ioBlock("Outputs", props, "outputs", secure.includes("outputs"))].filter(Boolean));
  }
  if (inLoop && rec) li.append(repetitionsBlock(ctx, name));
  const t = type.toLowerCase();
  if (t === "if") {
    const result = props.inputs && typeof props.inputs.expressionResult === "boolean" ? props.inputs.expressionResult : null;
    const trueRan = result !== null ? result : branchRan(def.actions, ctx.records);
    const falseRan = result !== null ? !result : branchRan((def.else || {}).actions, ctx.records);
    li.append(branch(ctx, "True", def.actions, rec && trueRan, inLoop),
      branch(ctx, "False", (def.else || {}).actions, rec && falseRan && !trueRan, inLoop));
  } else if (t === "switch") {
    let any = false;
    for (const [cname, c] of Object.entries(def.cases || {})) {
      const ran = branchRan(c.actions, ctx.records);
      any = any || ran;
      li.append(branch(ctx, "Case " + cname + " (= " + JSON.stringify(c.case) + ")", c.actions, rec && ran, inLoop));
    }
    li.append(branch(ctx, "Default", (def.default || {}).actions, rec && !any && status !== "Skipped", inLoop));
  } else if (t === "foreach" || t === "until") {
    li.append(branch(ctx, t === "foreach" ? "For each item" : "Until the condition holds", def.actions, false, true));
  } else if (def.actions && typeof def.actions === "object") {
    li.append(tree(ctx, def.actions, inLoop));
  }
  return li;
}

function branch(ctx, label, actions, taken, inLoop) {
  return h("div", { class: "branch" },
    h("div", { class: "branch-label" + (taken ? " taken" : ""), "data-branch": label }, label),
    Object.keys(actions || {}).length ? tree(ctx, actions, inLoop) : h("div", { class: "muted small tree" }, "(no actions)"));
}

function tree(ctx, actions, inLoop) {
  return h("ul", { class: "tree" }, order(actions).map((n) => actionNode(ctx, n, actions[n], inLoop)));
}

function repetitionsBlock(ctx, name) {
  const body = h("div", {}, "Loading…");
  const det = h("details", { class: "reps" }, h("summary", {}, "Repetitions"), body);
  det.addEventListener("toggle", async () => {
    if (!det.open || det.dataset.loaded) return;
    det.dataset.loaded = "1";
    try {
      const reps = await listAll(wfPath(ctx.workflow) + "/runs/" + enc(ctx.runId) + "/actions/" + enc(name) + "/repetitions");
      body.replaceChildren(h("ol", {}, reps.map((r) => {
        const p = r.properties || {};
        const idx = (p.repetitionIndexes || []).map((i) => i.itemIndex).join(".");
        return h("li", {}, chip(p.status, p.status), " #", idx || r.name, " ",
          ioBlock("Inputs", p, "inputs", false), ioBlock("Outputs", p, "outputs", false),
          p.error ? h("div", { class: "error" }, p.error.code + ": " + p.error.message) : null);
      })));
      det.querySelector("summary").textContent = "Repetitions (" + reps.length + ")";
    } catch (e) { body.textContent = e.message; }
  });
  return det;
}

async function openRun(workflow, runId) {
  if (state.pane !== "run") state.returnPane = state.pane;
  state.pane = "run";
  state.openRun = { workflow, runId };
  for (const tab of document.querySelectorAll(".tabs [role=tab]")) tab.setAttribute("aria-selected", "false");
  for (const pane of document.querySelectorAll(".pane")) pane.hidden = pane.id !== "pane-run";
  const box = document.getElementById("run");
  if (!box.dataset.runId || box.dataset.runId !== runId) box.replaceChildren(h("p", { class: "muted" }, "Loading run " + runId + "…"));
  box.dataset.runId = runId;
  let run, actions;
  try {
    [run, actions] = await Promise.all([
      api(wfPath(workflow) + "/runs/" + enc(runId)),
      listAll(wfPath(workflow) + "/runs/" + enc(runId) + "/actions"),
    ]);
  } catch (e) {
    box.replaceChildren(h("p", { class: "error" }, "Could not read run " + runId + ": " + e.message));
    return;
  }
  if (!state.openRun || state.openRun.runId !== runId) return;
  const flow = state.flows.find((f) => f.name.toLowerCase() === workflow.toLowerCase());
  const definition = (flow && flow.definition) || {};
  const records = Object.fromEntries(actions.map((a) => [a.name, a]));
  const props = run.properties || {};
  const trig = props.trigger || {};
  const ctx = { workflow, runId, records };
  const secretsButton = h("button", { "aria-pressed": state.revealSecrets ? "true" : "false",
    onclick: () => { state.revealSecrets = !state.revealSecrets; openRun(workflow, runId); } },
    state.revealSecrets ? "Hide secrets" : "Show secrets");
  box.replaceChildren(...[
    h("div", { class: "run-head" }, h("button", { onclick: closeRun, title: "Back (Esc)" }, "← Back"),
      h("h2", {}, workflow), chip(props.status, props.status), h("code", { id: "run-id" }, run.name),
      h("span", { class: "muted" }, clock(props.startTime) + (props.endTime ? " · " + duration(props.startTime, props.endTime) : "")),
      secretsButton),
    props.error ? h("p", { class: "error" }, (props.error.code || "") + ": " + (props.error.message || "")) : null,
    h("h3", {}, "Trigger"),
    h("ul", { class: "tree root" }, h("li", { class: "node" },
      h("div", { class: "line" }, chip(trig.status || "Succeeded", trig.status || "Succeeded"), h("span", { class: "name" }, trig.name || "trigger")),
      ioBlock("Inputs", trig, "inputs", false), ioBlock("Outputs", trig, "outputs", false))),
    h("h3", {}, "Actions"),
    Object.keys(definition.actions || {}).length
      ? h("ul", { class: "tree root", id: "action-tree" }, order(definition.actions).map((n) => actionNode(ctx, n, definition.actions[n], false)))
      : h("ul", { class: "tree root", id: "action-tree" }, actions.map((a) => actionNode(ctx, a.name, {}, false)))].filter(Boolean));
  const back = box.querySelector("button");
  if (document.activeElement === document.body || !document.activeElement) back.focus();
}

// ---------------------------------------------------------------- outbox
function stripTags(html) {
  return new DOMParser().parseFromString(String(html), "text/html").body.textContent || "";
}

function mailCard(flow, call) {
  const req = call.request || {};
  const body = req.body || {};
  const isMail = body && typeof body === "object" && ("To" in body || "to" in body) && ("Subject" in body || "subject" in body);
  const resp = call.response || {};
  const meta = h("p", { class: "muted small" }, clock(call.time) + " · " + flow + " · action " + call.action +
    " · " + (req.connector || call.type || "") + " " + (req.method || "") + " " + (req.path || req.url || "") +
    " · answered " + (resp.statusCode || "") + " by " + (call.mocked ? "mock " + call.mocked : "a real call"));
  if (isMail) {
    return h("article", { class: "mail", "data-flow": flow },
      h("dl", {}, h("dt", {}, "To"), h("dd", { class: "mail-to" }, body.To || body.to),
        h("dt", {}, "Subject"), h("dd", { class: "mail-subject" }, body.Subject || body.subject),
        h("dt", {}, "Body"), h("dd", { class: "mail-body" }, stripTags(body.Body || body.body || ""))), meta);
  }
  return h("article", { class: "mail", "data-flow": flow }, meta, h("pre", {}, pretty(masked(req, null))));
}

async function loadOutbox() {
  const box = document.getElementById("outbox");
  const cards = [];
  for (const flow of state.flows) {
    let calls = [];
    try { calls = (await api(wfPath(flow.name) + "/outbox")).value || []; } catch (e) { continue; }
    for (const call of calls) cards.push([call.time || "", mailCard(flow.name, call)]);
  }
  cards.sort((a, b) => (a[0] < b[0] ? 1 : -1));
  box.replaceChildren(...(cards.length ? cards.map((c) => c[1])
    : [h("p", { class: "muted" }, "The outbox is empty: no flow has called a connector yet. Try send-email.")]));
}

// ---------------------------------------------------------------- gateway
async function loadGateway() {
  state.gateway = await readGateway();
  renderGateway();
}

async function showKeys(name, button) {
  try {
    state.gatewayKeys[name] = await api("/gateway/subscriptions/" + enc(name) + "/listSecrets", { method: "POST" });
  } catch (e) {
    button.textContent = "Could not read the keys: " + e.message;
    return;
  }
  renderGateway();
}

function keysCell(s) {
  const keys = state.gatewayKeys[s.name];
  if (!keys) {
    return h("button", { class: "show-keys", onclick: (e) => showKeys(s.name, e.target) }, "Show keys");
  }
  return h("span", {}, h("code", { class: "key" }, keys.primaryKey), keys.secondaryKey ? [" / ", h("code", { class: "key" }, keys.secondaryKey)] : null,
    " ", h("button", { onclick: () => { delete state.gatewayKeys[s.name]; renderGateway(); } }, "Hide"));
}

function renderGateway() {
  const box = document.getElementById("gateway");
  const config = state.gateway;
  if (!config) {
    box.replaceChildren(h("p", { class: "muted" },
      "No API Management gateway in front of this server. Start it with serve --gateway FILE (docs/gateway.md) " +
      "to see its APIs, subscriptions and calls here."));
    return;
  }
  const row = (...cells) => h("tr", {}, cells.map((c) => h("td", {}, c)));
  box.replaceChildren(
    h("h2", {}, "APIs"),
    h("table", { class: "simple" }, h("tr", {}, ["API", "Path", "Backend", "Inbound policies"].map((t) => h("th", {}, t))),
      (config.apis || []).map((a) => row(a.name, h("code", {}, "/" + (a.path || "")),
        a.backend && a.backend.workflow ? a.backend.workflow + (a.backend.gatewayOnly ? " (gateway only)" : "") : (a.backend || {}).url || "",
        (a.inbound || []).join(", ") || "none"))),
    h("h2", {}, "Subscriptions"),
    h("table", { class: "simple", id: "gateway-subscriptions" }, h("tr", {}, ["Name", "Scope", "State", "Keys"].map((t) => h("th", {}, t))),
      (config.subscriptions || []).map((s) => h("tr", { "data-subscription": s.name },
        h("td", {}, s.name), h("td", {}, s.scope), h("td", {}, s.state), h("td", {}, keysCell(s))))),
    h("h2", {}, "Recent calls"),
    state.gatewayCalls.length
      ? h("table", { class: "simple", id: "gateway-calls" }, h("tr", {}, ["Time", "Status", "Call", "Subscription", "Answered by"].map((t) => h("th", {}, t))),
        state.gatewayCalls.map((c) => row(clock(c.time), httpChip(c.status), c.method + " " + (c.path || ""),
          c.subscription || "none", c.answeredBy === "forwarded" ? "forwarded to " + (c.workflow || "the backend") : (c.answeredBy || ""))))
      : h("p", { class: "muted" }, "No gateway call yet."));
}

// ---------------------------------------------------------------- start
function start() {
  keyboard();
  try { setZoom(localStorage.getItem("presenter") === "1"); } catch (e) { /* private mode */ }
  showPane("flows");
  document.getElementById("try-target").addEventListener("change", (e) => selectTarget(...e.target.value.split("\u0000")));
  document.getElementById("try-form").addEventListener("submit", sendTry);
  document.getElementById("reload-flows").addEventListener("click", loadFlows);
  document.getElementById("try-form").addEventListener("input", updateTryUrl);
  connectFeed();
  loadFlows();
}

document.addEventListener("DOMContentLoaded", start);
