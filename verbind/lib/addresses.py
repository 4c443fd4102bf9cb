"""Which network addresses Verbind may connect to when it fetches something a member named.

A calendar address is chosen by a member, so without a guard the server could be
made to probe what lies behind it (its own loopback, the office network, a cloud
metadata service). ``is_public`` says whether one IP address is out on the
internet; ``resolve_public`` resolves a name and refuses it when any of its
addresses is not. The connection is then made to an address that was checked,
never to a second answer of the DNS (which could have changed in between: DNS
rebinding).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket

# IPv6 ranges that carry an IPv4 address inside them: what counts is the IPv4 address.
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class PrivateAddress(OSError):
    """A name or address that leads into the server's own network."""

    def __init__(self, host: str):
        super().__init__(host)
        self.host = host


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that embed one."""
    if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return address.ipv4_mapped
    if address.sixtofour is not None:  # 2002:aabb:ccdd::/48
        return address.sixtofour
    if address.teredo is not None:  # 2001::/32: the client's address, obscured
        return address.teredo[1]
    if any(address in network for network in NAT64):  # the last 32 bits
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in IPV4_COMPATIBLE and int(address) > 1:  # ::a.b.c.d (deprecated; not :: or ::1)
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(text: str) -> bool:
    """Whether *text* (an IPv4 or IPv6 address) is a unicast address out on the internet."""
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and not is_public(str(inner)):
            return False
    return address.is_global and not address.is_multicast


def resolve_public(host: str, port: int, **hints) -> list[tuple]:
    """``socket.getaddrinfo`` for *host*, refused whole when one of its addresses is not public.

    Connect to one of the addresses it returns: they are the ones that were checked.
    """
    found = socket.getaddrinfo(host, port, **hints)
    if not found or any(not is_public(str(sockaddr[0])) for *_rest, sockaddr in found):
        raise PrivateAddress(host)
    return found


def connect_public(host: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to a checked address of *host* (tried in the order the DNS gave)."""
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve_public(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"cannot connect to {host}")


class PublicHTTPConnection(http.client.HTTPConnection):
    """Connects to an address that was checked as public, at the moment it connects: a name
    that answers with a public address when checked and a private one later gains nothing."""

    def connect(self):
        self.sock = connect_public(self.host, self.port, self.timeout)
        if self._tunnel_host:
            self._tunnel()


class PublicHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        sock = connect_public(self.host, self.port, self.timeout)
        # The certificate and SNI are those of the name, not of the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
