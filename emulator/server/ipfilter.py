"""Caller IP addresses: allow-list ranges (``allowedCallerIpAddresses``) and ``X-Forwarded-For`` handling.

An ``addressRange`` is a single address (``10.0.0.4``), a CIDR block (``10.0.0.0/24``, ``2001:db8::/32``;
host bits may be set, as the portal accepts them) or an inclusive range ``first-last`` of one IP version.
IPv4-mapped IPv6 addresses (``::ffff:10.0.0.4``, what a dual-stack socket reports) count as IPv4.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address:
    """One address from a socket peer name or a header: strips ``[v6]:port``, ``v4:port``, zone ids."""
    value = str(text).strip().strip('"')
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 1.2.3.4:5678
        value = value.split(":", 1)[0]
    value = value.split("%", 1)[0]
    address = ipaddress.ip_address(value)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class AddressRange:
    """An inclusive range of addresses of one IP version; ``text`` is the configured spelling."""

    text: str
    first: Address
    last: Address

    def __contains__(self, address: Address) -> bool:
        return address.version == self.first.version and self.first <= address <= self.last


def parse_range(text: str) -> AddressRange:
    """Parse an ``addressRange`` value; raises ``ValueError`` with a readable message when invalid."""
    raw = str(text).strip()
    try:
        if "/" in raw:
            network = ipaddress.ip_network(raw, strict=False)
            return AddressRange(raw, network.network_address, network.broadcast_address)
        if "-" in raw:
            low, high = (part.strip() for part in raw.split("-", 1))
            first, last = ipaddress.ip_address(low), ipaddress.ip_address(high)
            if first.version != last.version:
                raise ValueError("both ends of a range must be of the same IP version")
            if first > last:
                raise ValueError("the first address of a range must not be above the last")
            return AddressRange(raw, first, last)
        address = ipaddress.ip_address(raw)
        return AddressRange(raw, address, address)
    except ValueError as exc:
        raise ValueError(f"The address range '{raw}' is not valid: {exc}") from None


def in_ranges(address: str | Address, ranges: Iterable[AddressRange]) -> bool:
    """True when ``address`` lies in one of ``ranges`` (an unparsable address is in none)."""
    try:
        ip = (
            address
            if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address)
            else parse_address(address)
        )
    except ValueError:
        return False
    return any(ip in r for r in ranges)


def parse_proxies(trusted_proxies: Iterable[str] | None) -> list[AddressRange]:
    """``--trusted-proxy`` values (addresses, CIDR blocks or ranges) as ranges."""
    out = []
    for item in trusted_proxies or ():
        out.append(item if isinstance(item, AddressRange) else parse_range(item))
    return out


def client_ip(remote: str | None, headers, trusted_proxies: Iterable[str] | None = None) -> str | None:
    """The caller's address: the socket peer, or, when the peer is a trusted proxy, the nearest untrusted hop
    of ``X-Forwarded-For`` (read right to left; every header occurrence counts, in order).

    Without trusted proxies the header is ignored, so a caller cannot spoof its address.
    """
    proxies = parse_proxies(trusted_proxies)
    if remote is None:
        return None
    try:
        peer = parse_address(remote)
    except ValueError:
        return remote
    if not proxies or not in_ranges(peer, proxies):
        return str(peer)
    hops: list[str] = []
    for value in _header_values(headers, "x-forwarded-for"):
        hops.extend(part.strip() for part in value.split(",") if part.strip())
    current = peer
    for hop in reversed(hops):
        try:
            current = parse_address(hop)
        except ValueError:  # a garbled hop: trust stops at the last good address
            break
        if not in_ranges(current, proxies):
            return str(current)
    return str(current)


def _header_values(headers, name: str) -> list[str]:
    if headers is None:
        return []
    getall = getattr(headers, "getall", None)
    if getall is not None:
        return list(getall(name, []))
    return [str(v) for k, v in headers.items() if k.lower() == name]
