"""The address guard: which hosts are known to be non-public without asking DNS.

Kept apart from the network client so that offline runs can check image hosts (IMG007, IMG008)
without importing the client.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence

__all__ = ["IPAddress", "PrivateAddressError", "guard", "host_key", "is_private_address", "is_public_ip", "parse_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Python's is_global misses these: deprecated site-local IPv6, and IPv6 forms that embed an IPv4
# address (checked through the embedded address below).
_ALWAYS_PRIVATE = (ipaddress.ip_network("fec0::/10"),)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# inet_aton accepts "127.1", "0x7f.0.0.1" and "2130706433"; so do most resolvers, so must we.
_LEGACY_IPV4 = re.compile(r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}", re.IGNORECASE)


class PrivateAddressError(Exception):
    """A request would reach a private, loopback, link-local or otherwise non-public address."""

    def __init__(self, host: str, addresses: Sequence[str] = ()) -> None:
        self.host = host
        self.addresses = tuple(addresses)
        shown = f" ({', '.join(self.addresses)})" if self.addresses and self.addresses != (host,) else ""
        super().__init__(f"{host}{shown} is not a public address; set allow-private-hosts to reach it")


def parse_ip(host: str) -> IPAddress | None:
    """The IP address a host string denotes literally (any notation a resolver accepts), else None."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0].rstrip(".")  # a zone id does not change what the address is
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def is_public_ip(ip: IPAddress) -> bool:
    """Whether an address is globally routable (not private, loopback, link-local, reserved...)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_ip(ip.ipv4_mapped)
        if ip in _NAT64:
            return is_public_ip(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            return is_public_ip(ip.sixtofour)
        if any(ip in net for net in _ALWAYS_PRIVATE):
            return False
    return ip.is_global and not ip.is_multicast


def is_private_address(host_or_ip: str) -> bool:
    """Whether a host is known to be non-public without DNS: a literal non-public IP or a localhost name.

    Other names return False: only resolving them can tell, which the client does per connection.
    """
    name = host_or_ip.strip().lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    ip = parse_ip(name)
    return ip is not None and not is_public_ip(ip)


def guard(host_or_ip: str, *, allow_private_hosts: bool = False) -> None:
    """Raise PrivateAddressError when a host is known to be non-public and private hosts are not allowed."""
    if not allow_private_hosts and is_private_address(host_or_ip):
        raise PrivateAddressError(host_or_ip)


def host_key(host: str) -> str:
    """The normalised form hosts are compared in: lower case, no trailing dot, IDNA-encoded, no port."""
    name = host.strip().rstrip(".").lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return name
