"""URI parsing functions, with .NET ``System.Uri`` semantics for absolute URIs.

``uriHost``/``uriPath``/``uriPathAndQuery``/``uriPort``/``uriQuery``/``uriScheme`` read the parts of
an absolute URI as ``new Uri(text)`` exposes them (``Host``, ``AbsolutePath``, ``PathAndQuery``,
``Port``, ``Query``, ``Scheme``): scheme and host lower-cased, the scheme's default port when none
is given (-1 when the scheme has none), ``/`` as the path of a server URI without one, dot segments
removed and ``\\`` read as ``/`` for the web schemes, characters not allowed in a URI escaped as
``%XX`` of their UTF-8 bytes, the fragment left out. A text that is not an absolute URI is an error.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ..expressions.errors import function_error
from ..expressions.registry import function
from .args import want_str

DEFAULT_PORTS = {
    "http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "sftp": 22, "ssh": 22, "telnet": 23,
    "smtp": 25, "mailto": 25, "gopher": 70, "news": 119, "nntp": 119, "ldap": 389, "ldaps": 636,
    "net.tcp": 808, "uuid": -1, "file": -1, "net.pipe": -1,
}
# schemes System.Uri parses as "scheme://authority/path" with dot-segment and backslash handling
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file", "gopher", "nntp", "telnet", "ldap",
                          "net.tcp", "net.pipe"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_HOST_NAME = re.compile(r"[^\s<>\"{}|\\^`/?#@:%\[\]]+")
_DOS_PATH = re.compile(r"[A-Za-z]:[\\/]")
_PORT = re.compile(r"[0-9]*")
# bytes left as they are in AbsolutePath / Query (RFC 3986 unreserved, sub-delims, ':' '@' '/' '?' '%')
_KEEP = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%")
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class ParsedUri:
    scheme: str
    host: str
    port: int
    path: str
    query: str


class _Invalid(Exception):
    pass


def _escape(text: str) -> str:
    """Escape what ``System.Uri`` escapes; a ``%`` that does not start ``%XX`` becomes ``%25``."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and text[i + 1:i + 2] in _HEX and text[i + 2:i + 3] in _HEX:
            out.append(text[i:i + 3])
            i += 3
            continue
        for b in ch.encode("utf-8", errors="replace"):
            out.append(chr(b) if b in _KEEP and b != ord("%") else f"%{b:02X}")
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 (System.Uri compresses ``.`` and ``..`` for hierarchical schemes)."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _parse_host(host: str, scheme: str) -> str:
    if host.startswith("["):
        if not host.endswith("]"):
            raise _Invalid("The hostname could not be parsed.")
        try:
            ipaddress.IPv6Address(host[1:-1].split("%")[0])
        except ValueError:
            raise _Invalid("The hostname could not be parsed.") from None
        return host.lower()
    if host == "":
        if scheme in _WEB_SCHEMES and scheme != "file":
            raise _Invalid("The hostname could not be parsed.")
        return ""
    if not _HOST_NAME.fullmatch(host):
        raise _Invalid("The hostname could not be parsed.")
    return host.lower()


def parse_uri(text: str) -> ParsedUri:
    """The parts of an absolute URI as ``System.Uri`` reports them; raises ``_Invalid``."""
    text = text.strip(" \t\r\n\f\v")
    if _DOS_PATH.match(text):  # "C:\\dir\\file" is the file URI file:///C:/dir/file
        path, _, _fragment = text.replace("\\", "/").partition("#")
        return ParsedUri("file", "", -1, _escape(_remove_dot_segments(path)), "")
    match = _SCHEME.match(text)
    if not match:
        raise _Invalid("The format of the URI could not be determined.")
    scheme = match.group(1).lower()
    rest = text[match.end():]
    web = scheme in _WEB_SCHEMES
    if web:
        rest = rest.replace("\\", "/") if scheme != "file" else rest
    rest, _, _fragment = rest.partition("#")
    rest, qmark, query = rest.partition("?")
    query = "?" + _escape(query) if qmark else ""
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        path = slash + path
        hostport = authority.rpartition("@")[2]  # user info is not part of any reported value
        host, port_text = hostport, None
        if hostport.startswith("["):
            end = hostport.find("]")
            if end < 0:
                raise _Invalid("The hostname could not be parsed.")
            host, tail = hostport[:end + 1], hostport[end + 1:]
            if tail:
                if not tail.startswith(":"):
                    raise _Invalid("The hostname could not be parsed.")
                port_text = tail[1:]
        elif ":" in hostport:
            host, _, port_text = hostport.rpartition(":")
        host = _parse_host(host, scheme)
        if port_text:
            if not _PORT.fullmatch(port_text) or int(port_text) > 65535:
                raise _Invalid("Invalid port specified.")
            port = int(port_text)
        else:
            port = DEFAULT_PORTS.get(scheme, -1)
        if web:
            path = _remove_dot_segments(path) if path else "/"
        elif not path:
            path = "/"
        return ParsedUri(scheme, host, port, _escape(path), query)
    if web:
        raise _Invalid("The format of the URI could not be determined.")
    if scheme == "mailto" and "@" in rest:
        host = rest.rpartition("@")[2].lower()
        return ParsedUri(scheme, host, DEFAULT_PORTS["mailto"], "", query)
    return ParsedUri(scheme, "", DEFAULT_PORTS.get(scheme, -1), _escape(rest), query)


def _uri(fn: str, value) -> ParsedUri:
    try:
        return parse_uri(want_str(fn, 0, value))
    except _Invalid as exc:
        raise function_error(fn, f"was invoked with a parameter that is not valid. The value '{value}' is not "
                                 f"a well-formed absolute URI: Invalid URI: {exc}") from None


@function("uriHost", min_args=1, category="uri")
def uri_host(value):
    return _uri("uriHost", value).host


@function("uriPath", min_args=1, category="uri")
def uri_path(value):
    return _uri("uriPath", value).path


@function("uriPathAndQuery", min_args=1, category="uri")
def uri_path_and_query(value):
    uri = _uri("uriPathAndQuery", value)
    return uri.path + uri.query


@function("uriPort", min_args=1, category="uri")
def uri_port(value):
    return _uri("uriPort", value).port


@function("uriQuery", min_args=1, category="uri")
def uri_query(value):
    return _uri("uriQuery", value).query


@function("uriScheme", min_args=1, category="uri")
def uri_scheme(value):
    return _uri("uriScheme", value).scheme
