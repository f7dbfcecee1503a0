"""What an expression reads from the caller's request, what it compares that with, and how.

* :class:`Source`: a value the caller controls (``triggerOutputs()['headers']['x-key']`` is the header
  ``x-key``; ``triggerBody()?['a']`` the body field ``a``; ``triggerOutputs()`` the whole trigger...), also
  through ``trigger()['outputs']``, ``outputs('<trigger>')``/``body('<trigger>')``, a Parse JSON or Compose of
  such a value, a variable set from one, and text functions (``toLower``, ``split``, ``replace``...).
* :class:`Secret`: what a caller's value is checked against: a literal, a parameter, an app setting, a Key
  Vault secret.
* :func:`comparisons`: every ``equals``/``contains``/``startsWith``/``endsWith``/``indexOf`` of a source with
  something, with its polarity (under ``not(...)`` or ``equals(..., false)`` the check passes when it fails).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .tree import Call, Lit, walk

# functions whose result carries their argument's value (possibly changed in form)
PASS_THROUGH = {"tolower", "toupper", "trim", "string", "replace", "substring", "split", "first", "last",
                "coalesce", "concat", "base64tostring", "decodebase64", "base64", "encodebase64",
                "uricomponenttostring", "decodeuricomponent", "uricomponent", "encodeuricomponent", "json",
                "take", "skip", "slice", "array", "createarray", "if", "join"}
FOLDING = {"tolower", "toupper"}
COMPARISONS = {"equals", "contains", "startswith", "endswith", "indexof", "lastindexof", "nthindexof"}
WEAK = {"contains": "contains", "startswith": "startsWith", "endswith": "endsWith", "indexof": "indexOf",
        "lastindexof": "lastIndexOf", "nthindexof": "nthIndexOf"}

_SECRET_WORDS = re.compile(r"token|secret|passw|pwd|auth(?!or(?!i[sz]))|signature|credential|apikey|api_key|hmac|bearer|"
                           r"accesskey|sharedkey|clientkey|subscriptionkey|privatekey")
_SECRET_PARTS = {"key", "sig", "code", "pin", "otp", "pass", "sas", "jwt"}
# words that make a "key" or "code" a business value, not a credential: countryCode, partitionKey, statusCode,
# promoCode, productKey, validationCode (Event Grid's handshake echoes it), Idempotency-Key...
_BUSINESS = frozenset("""
    country postal post zip status error promo promotion coupon voucher discount product partition row sort range
    primary foreign composite natural language lang locale culture currency event validation idempotency
    idempotent dedup dedupe deduplication order item sku customer region reason response result return exit http
    iso tax vat dial phone area unique cache lookup object entity record routing group correlation tracking
    reference ref bar qr color colour airport city state department cost account merchant unit type category
    class project job task ticket message action operation step stage campaign store site branch warehouse
    location plant vendor supplier material batch lot serial model version source target mime sequence index
    map table column field property attribute label display short gl naics sic diagnosis procedure icd airline
    flight course room building zone timezone tz postcode fiscal invoice payment shipping carrier
    """.split())
# request headers that carry protocol data, not credentials
BENIGN_HEADERS = {
    "content-type", "content-length", "content-encoding", "accept", "accept-encoding", "accept-language",
    "accept-charset", "user-agent", "host", "connection", "origin", "referer", "cache-control", "pragma",
    "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-original-host", "x-original-url",
    "x-ms-client-tracking-id", "x-ms-workflow-name", "x-ms-workflow-run-id", "x-ms-correlation-id",
    "x-ms-client-request-id", "x-request-id", "x-correlation-id", "traceparent", "tracestate",
    "request-id", "if-match", "if-none-match", "expect", "max-forwards", "x-arr-log-id", "x-ms-tracking-id",
    "cookie", "date", "x-http-method-override", "x-ms-date", "client-ip", "disguised-host", "x-site-deployment-id",
    "was-default-hostname", "x-appservice-proto", "x-arr-ssl", "x-waws-unencoded-url",
}


BENIGN_QUERIES = {"api-version", "sp", "sv", "$filter", "$top", "$skip", "$select", "$orderby", "format",
                  "page", "pagesize", "limit", "offset", "lang", "culture"}


# names about a secret rather than of one: tokenUrl, secretName, apiKeyHeader, tokenExpiry...
_ABOUT_A_SECRET = re.compile(r"(url|uri|endpoint|name|path|audience|scope|type|header|field|id|expiry|expiration|"
                             r"expires|version|lifetime|duration|length|count|enabled)$")


def names_a_secret(name: str) -> bool:
    """False for names that are about a secret (``tokenUrl``, ``secretName``) rather than hold one."""
    return not _ABOUT_A_SECRET.search(re.sub(r"[^a-z0-9]", "", str(name).lower()))


def secret_like(name: str | None) -> bool:
    """A header, query, parameter or field name that says it holds a credential."""
    if not name or not names_a_secret(name):
        return False
    low = str(name).lower()
    if _SECRET_WORDS.search(low):
        return True
    parts = [p for p in re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name)).lower()) if p]
    if any(p in _SECRET_PARTS - {"key", "code"} for p in parts):
        return True
    return any(p in ("key", "code") for p in parts) and not any(p in _BUSINESS for p in parts)


@dataclass(frozen=True)
class Source:
    """A value the caller controls. ``kind``: trigger (all outputs), headers, header, queries, query,
    paths, path, body, other. ``key``: header/query/path parameter name or body field path."""

    kind: str
    key: str | None = None
    folded: bool = False   # went through toLower/toUpper: compared without case

    @property
    def whole(self) -> bool:
        return self.kind in ("trigger", "headers", "queries", "paths") or (self.kind == "body" and not self.key)

    @property
    def specific(self) -> bool:
        return self.kind in ("header", "query", "path") or (self.kind == "body" and bool(self.key))

    def extend(self, key: str) -> Source:
        if self.kind == "trigger":
            low = key.lower()
            kind = {"headers": "headers", "queries": "queries", "relativepathparameters": "paths",
                    "body": "body"}.get(low)
            return Source(kind, None, self.folded) if kind else Source("other", key, self.folded)
        if self.kind in ("headers", "queries", "paths"):
            return Source({"headers": "header", "queries": "query", "paths": "path"}[self.kind], key, self.folded)
        if self.kind == "body":
            return Source("body", f"{self.key}.{key}" if self.key else key, self.folded)
        return self

    def same_value(self, other: Source) -> bool:
        return self.kind == other.kind and (self.key or "").lower() == (other.key or "").lower()

    def covers(self, other: Source) -> bool:
        """This value holds ``other``: the same value, or a whole collection it is part of."""
        if self.same_value(other) or self.kind == "trigger":
            return True
        if self.kind == "body" and other.kind == "body":
            return not self.key or str(other.key).lower().startswith(str(self.key).lower() + ".")
        return {"headers": "header", "queries": "query", "paths": "path"}.get(self.kind) == other.kind

    def label(self) -> str:
        names = {"trigger": "the whole trigger outputs", "headers": "all request headers",
                 "queries": "all query parameters", "paths": "all path parameters",
                 "other": f"the trigger output '{self.key}'"}
        if self.kind in names:
            return names[self.kind]
        if self.kind == "body":
            return f"the body field '{self.key}'" if self.key else "the whole request body"
        return {"header": "the header", "query": "the query parameter", "path": "the path parameter"}[self.kind] \
            + f" '{self.key}'"


@dataclass(frozen=True)
class Secret:
    """What a caller's value is checked against. ``kind``: literal, parameter, appsetting, keyvault,
    expression (something else computed)."""

    kind: str
    name: str = ""
    folded: bool = False
    secure: bool = False    # a SecureString/SecureObject parameter: its author calls it a secret
    literals: tuple = ()    # a list written into the definition (createArray('k1', 'k2')): its items

    @property
    def typed_in(self) -> bool:
        """The value is written in the definition: a literal, or a list of literals."""
        return self.kind == "literal" or (self.kind == "list" and bool(self.literals))

    def label(self) -> str:
        if self.kind == "literal":
            return "a literal typed into the definition"
        if self.kind == "parameter":
            return f"the parameter '{self.name}'"
        if self.kind == "appsetting":
            return f"the app setting '{self.name}'"
        if self.kind == "keyvault":
            return f"the Key Vault secret read by '{self.name}'"
        if self.kind == "list":
            if self.literals:
                return "a list of literals typed into the definition"
            return f"the list '{self.name}'" if self.name else "a list"
        return "a computed value"


@dataclass(frozen=True)
class Comparison:
    op: str                 # lower-case function name
    source: Source
    other: Secret | None    # None: compared with another caller value or nothing recognisable
    negated: bool           # the check passes when this comparison is false
    source_is_needle: bool  # contains(x, source): the source is what is looked for

    @property
    def weakness(self) -> str | None:
        """Why this comparison lets wrong tokens in, or None."""
        if self.op in WEAK:
            if self.op == "contains" and self.source_is_needle and self.other is not None \
                    and self.other.kind == "list":
                return None
            return f"'{WEAK[self.op]}'"
        if self.source.folded or (self.other is not None and self.other.folded):
            return "a case-insensitive comparison (toLower/toUpper)"
        return None


class Scope:
    """What names mean in one workflow: trigger names, Parse JSON/Compose actions, variables, Key Vault
    actions and parameter declarations (built once per workflow by :mod:`.flow`)."""

    def __init__(self, triggers=(), values=None, variables=None, keyvault=(), parameters=None):
        self.triggers = {t.lower() for t in triggers}
        self.values = values or {}          # action name -> (function that reads it, node of its value)
        self.variables = {k.lower(): v for k, v in (variables or {}).items()}
        self.keyvault = set(keyvault)
        self.parameters = parameters or {}  # name -> declaration

    def parameter_type(self, name: str) -> str:
        spec = self.parameters.get(name)
        return str(spec.get("type", "")).lower() if isinstance(spec, dict) else ""


def _key_text(node) -> str:
    if isinstance(node, Lit) and node.value is not None:
        return str(node.value)
    return "?"


def _apply(source: Source, derefs) -> Source:
    for d in derefs:
        if source.specific and source.kind != "body":
            break
        source = source.extend(_key_text(d.key))
    return source


def source_of(node, scope: Scope, depth: int = 0) -> Source | None:
    """The caller value an expression node yields, or None."""
    if not isinstance(node, Call) or depth > 20:
        return None
    name, derefs = node.name, node.derefs
    if name == "triggeroutputs" and not node.args:
        return _apply(Source("trigger"), derefs)
    if name == "trigger" and not node.args:
        if not derefs:
            return Source("trigger")
        if _key_text(derefs[0].key).lower() == "outputs":
            return _apply(Source("trigger"), derefs[1:])
        return None
    if name == "triggerbody" and not node.args:
        return _apply(Source("body"), derefs)
    first = node.arg_text(0)
    if name == "headers" and first is not None:  # headers('x-key'): the designer's shorthand some exports carry
        return Source("header", first)
    if name in ("outputs", "body") and first is not None:
        if first.lower() in scope.triggers:
            return _apply(Source("trigger") if name == "outputs" else Source("body"), derefs)
        entry = scope.values.get(first)
        if entry is not None and entry[0] == name:
            inner = source_of(entry[1], scope, depth + 1)
            return _apply(inner, derefs) if inner is not None else None
        return None
    if name == "variables" and first is not None:
        value = scope.variables.get(first.lower())
        inner = source_of(value, scope, depth + 1) if value is not None else None
        return _apply(inner, derefs) if inner is not None else None
    if name in PASS_THROUGH:
        for arg in node.args[1:] if name == "if" else node.args:
            inner = source_of(arg, scope, depth + 1)
            if inner is not None:
                if name in FOLDING:
                    inner = replace(inner, folded=True)
                return inner if inner.specific else _apply(inner, derefs)
    return None


def secret_of(node, scope: Scope, depth: int = 0) -> Secret | None:
    """What a compared value is, when it is a literal or a secret reference (else None)."""
    if isinstance(node, Lit):
        if isinstance(node.value, str) and node.value.strip():
            return Secret("literal", node.value)
        if _numeric_code(node.value):  # a PIN or numeric key typed as a number: 4711
            return Secret("literal", str(node.value))
        return None
    if not isinstance(node, Call) or depth > 20:
        return None
    name, first = node.name, node.arg_text(0)
    if name == "parameters" and first is not None:
        secure = scope.parameter_type(first) in ("securestring", "secureobject")
        if scope.parameter_type(first) in ("array", "object", "secureobject") and not node.derefs:
            return Secret("list", first, secure=secure)  # contains(<list>, token): a lookup, not a substring
        return Secret("parameter", first, secure=secure)
    if name == "appsetting" and first is not None:
        return Secret("appsetting", first)
    if name in ("body", "outputs") and first is not None:
        if first in scope.keyvault:
            return Secret("keyvault", first)
        entry = scope.values.get(first)
        if entry is not None and entry[0] == name:
            return secret_of(entry[1], scope, depth + 1)
        return None
    if name == "variables" and first is not None:
        value = scope.variables.get(first.lower())
        return secret_of(value, scope, depth + 1) if value is not None else None
    if name == "createarray" or (name == "split" and len(node.args) == 2):
        items = [a.value for a in node.args if isinstance(a, Lit)]
        if len(items) != len(node.args) or not all(isinstance(v, str) for v in items):
            return Secret("list", "")
        if name == "split":
            items = [v for v in items[0].split(items[1]) if v] if items[1] else [items[0]]
        return Secret("list", "", literals=tuple(v for v in items if v.strip()))
    if name in PASS_THROUGH:
        found = [s for s in (secret_of(a, scope, depth + 1) for a in node.args) if s is not None]
        best = next((s for s in found if s.kind != "literal"), None)
        if best is None and found and all(isinstance(a, Lit) or secret_of(a, scope, depth + 1) for a in node.args):
            best = Secret("literal", "".join(s.name for s in found))
        if best is not None:
            return replace(best, folded=True) if name in FOLDING else best
    return None


def sources_in(node, scope: Scope) -> list[Source]:
    """Every caller value read anywhere in ``node``."""
    found = []
    for sub in walk(node):
        source = source_of(sub, scope)
        if source is not None and source not in found:
            found.append(source)
    return found


def returned_sources(node, scope: Scope) -> list[Source]:
    """Caller values that reach the value of ``node`` (not those only tested by ``equals``, ``contains``...)."""
    source = source_of(node, scope)
    if source is not None:
        return [source]
    if not isinstance(node, Call):
        return []
    if node.name == "if":
        args = node.args[1:]
    elif node.name in PASS_THROUGH or node.name in ("outputs", "body", "variables", "xml", "setproperty",
                                                    "addproperty", "union", "uricomponent"):
        args = node.args
    else:
        return []
    out = []
    for arg in args:
        out += [s for s in returned_sources(arg, scope) if s not in out]
    return out


def comparisons(node, scope: Scope, negated: bool = False) -> list[Comparison]:
    """Every comparison of a caller value in ``node``, with its polarity."""
    found: list[Comparison] = []
    _collect(node, scope, negated, found)
    return found


def _collect(node, scope: Scope, negated: bool, found: list) -> None:
    if not isinstance(node, Call):
        return
    name, args = node.name, node.args
    if name == "not" and len(args) == 1:
        _collect(args[0], scope, not negated, found)
        return
    if name == "equals" and len(args) == 2:
        flags = [a for a in args if isinstance(a, Lit) and isinstance(a.value, bool)]
        calls = [a for a in args if isinstance(a, Call)]
        if len(flags) == 1 and len(calls) == 1:
            _collect(calls[0], scope, negated if flags[0].value else not negated, found)
            return
        minus_one = [a for a in args if isinstance(a, Lit) and a.value == -1]
        if len(minus_one) == 1 and len(calls) == 1 and calls[0].name in ("indexof", "lastindexof"):
            _collect(calls[0], scope, not negated, found)
            return
    if name in COMPARISONS and len(args) >= 2:
        first, second = source_of(args[0], scope), source_of(args[1], scope)
        if (first is not None and first.specific and _trivial(args[1], first)) or \
                (second is not None and second.specific and _trivial(args[0], second)):
            pass  # compared with '', null, a number or a boolean: a presence check, not a token check
        elif first is not None and first.specific:
            found.append(Comparison(name, first, secret_of(args[1], scope), negated, False))
        elif second is not None and second.specific:
            found.append(Comparison(name, second, secret_of(args[0], scope), negated, True))
    for arg in args:
        _collect(arg, scope, negated, found)


SCHEMES = {"bearer", "pop", "basic", "sharedaccesssignature", "bearer ", "pop "}


def _trivial(node, source: Source) -> bool:
    """'', null, a boolean, or a number compared with a value not named as a credential: a presence or
    value check. A number of 4+ digits compared with a credential-named value is a PIN or key typed in."""
    if not isinstance(node, Lit) or (isinstance(node.value, str) and node.value.strip()):
        return False
    return not (_numeric_code(node.value) and secret_like(source.key))


def _numeric_code(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000


def is_scheme_check(cmp: Comparison) -> bool:
    """``startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer')``: a check of the scheme only."""
    return (cmp.source.kind == "header" and str(cmp.source.key).lower() == "authorization"
            and cmp.other is not None and cmp.other.kind == "literal" and cmp.other.name.strip().lower() in SCHEMES)


def is_token_check(cmp: Comparison) -> bool:
    """A comparison that decides whether the caller may go on: a credential-looking caller value
    compared with a literal or a secret."""
    source, other = cmp.source, cmp.other
    if is_scheme_check(cmp):
        return False
    named = secret_like(source.key)
    if other is None:
        return named and cmp.op in COMPARISONS
    if source.kind == "body" or source.kind == "other":
        return named
    if source.kind == "header" and str(source.key).lower() in BENIGN_HEADERS:
        return False
    if source.kind == "query" and str(source.key).lower() in BENIGN_QUERIES:
        return False
    if other.typed_in and not names_a_secret(str(source.key)):
        return False  # an identifier or a kind compared with a literal: x-tenant-id == <GUID>, x-event-type
    if other.kind == "literal":
        return named or _looks_secret(other.name)
    if other.literals:
        return named or any(_looks_secret(v) for v in other.literals)
    if other.kind in ("parameter", "appsetting", "list"):
        return named or other.secure or secret_like(other.name)
    return True


# words joined by '.', '/' or ':' (an event type, a media type, a namespace), possibly ending in a version
_NAME_LIKE = re.compile(r"^[A-Za-z]+(?:[./:][A-Za-z]+)*(?:[./:]v?\d+(?:\.\d+)*)?$")


def _looks_secret(text: str) -> bool:
    """A literal that looks like a key rather than a word, a name, a date or a version: 8+ characters with
    letters and digits mixed in one part (``k3y-9f8e``, not ``production2`` or ``SAP-ERP-01``), or 16+
    characters in one piece."""
    text = text.strip()
    if len(text) < 8 or " " in text or not any(c.isalpha() for c in text):
        return False
    if _NAME_LIKE.match(text) and any(c in "./:" for c in text):  # order.created.v2, text/plain
        return False
    parts = [p for p in re.split(r"[-_.:/]", text) if p]
    if any(_mixed(p) for p in parts):
        return True
    return len(parts) == 1 and len(text) >= 16


def _mixed(part: str) -> bool:
    """Letters and digits mixed in one part, other than a word followed by a number (``ERP01``, ``v2``)."""
    return any(c.isalpha() for c in part) and any(c.isdigit() for c in part) \
        and not re.fullmatch(r"[A-Za-z]+\d+", part)
