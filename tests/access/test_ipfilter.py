import pytest

from emulator.server.ipfilter import client_ip, in_ranges, parse_address, parse_range


@pytest.mark.parametrize(
    "spec, inside, outside",
    [
        ("10.0.0.0/24", ["10.0.0.0", "10.0.0.255", "10.0.0.7"], ["10.0.1.0", "9.255.255.255"]),
        ("10.0.0.5/24", ["10.0.0.200"], ["10.0.1.1"]),  # host bits set: accepted as the block
        ("192.168.1.10", ["192.168.1.10"], ["192.168.1.11"]),
        ("10.0.0.10-10.0.0.20", ["10.0.0.10", "10.0.0.15", "10.0.0.20"], ["10.0.0.9", "10.0.0.21"]),
        ("10.0.0.10 - 10.0.0.20", ["10.0.0.12"], ["10.0.0.30"]),
        ("2001:db8::/32", ["2001:db8::1", "2001:db8:ffff::1"], ["2001:db9::1", "10.0.0.1"]),
        ("2001:db8::1-2001:db8::ff", ["2001:db8::80"], ["2001:db8::100"]),
        ("::1/128", ["::1"], ["127.0.0.1"]),
        ("127.0.0.0/8", ["127.0.0.1", "::ffff:127.0.0.1"], ["::1"]),
    ],
)
def test_ranges(spec, inside, outside):
    r = [parse_range(spec)]
    for ip in inside:
        assert in_ranges(ip, r), ip
    for ip in outside:
        assert not in_ranges(ip, r), ip


@pytest.mark.parametrize("bad", ["10.0.0.300", "10.0.0.0/33", "10.0.0.9-10.0.0.1", "10.0.0.1-::1", "", "abc"])
def test_invalid_ranges(bad):
    with pytest.raises(ValueError, match="is not valid"):
        parse_range(bad)


def test_unparsable_address_is_in_no_range():
    assert not in_ranges("not-an-ip", [parse_range("0.0.0.0/0")])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.2.3.4:5678", "1.2.3.4"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        (" 10.0.0.1 ", "10.0.0.1"),
    ],
)
def test_parse_address(text, expected):
    assert str(parse_address(text)) == expected


def test_forwarded_for_ignored_without_trusted_proxy():
    assert client_ip("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, None) == "127.0.0.1"
    assert client_ip("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, []) == "127.0.0.1"


def test_forwarded_for_ignored_from_untrusted_peer():
    assert client_ip("10.9.9.9", {"X-Forwarded-For": "203.0.113.9"}, ["127.0.0.1"]) == "10.9.9.9"


def test_forwarded_for_from_trusted_proxy():
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert client_ip("127.0.0.1", headers, ["127.0.0.1"]) == "203.0.113.9"


def test_forwarded_for_skips_chained_trusted_proxies():
    headers = {"x-forwarded-for": "198.51.100.1, 203.0.113.9, 10.0.0.2"}
    assert client_ip("127.0.0.1", headers, ["127.0.0.1", "10.0.0.0/8"]) == "203.0.113.9"


def test_forwarded_for_all_trusted_gives_leftmost():
    assert (
        client_ip("127.0.0.1", {"X-Forwarded-For": "10.0.0.2"}, ["127.0.0.0/8", "10.0.0.0/8"]) == "10.0.0.2"
    )


def test_forwarded_for_garbage_stops_trust():
    headers = {"X-Forwarded-For": "198.51.100.1, garbage"}
    assert client_ip("127.0.0.1", headers, ["127.0.0.1"]) == "127.0.0.1"


def test_forwarded_for_missing_header_from_trusted_proxy():
    assert client_ip("::ffff:127.0.0.1", {}, ["127.0.0.1"]) == "127.0.0.1"


def test_forwarded_for_multidict_repeats():
    from multidict import CIMultiDict

    headers = CIMultiDict([("X-Forwarded-For", "198.51.100.1"), ("X-Forwarded-For", "203.0.113.9")])
    assert client_ip("127.0.0.1", headers, ["127.0.0.1"]) == "203.0.113.9"


def test_ipv6_peer_and_forwarded_for():
    assert client_ip("::1", {"X-Forwarded-For": "2001:db8::5"}, ["::1"]) == "2001:db8::5"
