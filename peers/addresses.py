"""The client's address, the one way every per-address limit reads it (allauth's login limits
through the account adapter, certificate verification through training/ratelimit.py).

REMOTE_ADDR is the peer that opened the connection. Only when that peer is one of the proxies
named in KAKEHASHI_TRUSTED_PROXIES (addresses or networks; none by default) is X-Forwarded-For
read, from the right: the first address that is not itself a trusted proxy is the client.
Anything a client writes into the header itself is further left, so it is never reached. The
ASGI server follows the same list (config/serve.py), so both agree on who the client is.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for proxy in proxies:
        if proxy == "*":
            networks += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        else:
            networks.append(ipaddress.ip_network(proxy, strict=False))
    return tuple(networks)


def _clean(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request) -> str:
    """The client's IP address as text (or "unknown" when the connection gives none)."""
    networks = _networks(tuple(settings.KAKEHASHI_TRUSTED_PROXIES))
    address = _clean(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return "unknown"

    def trusted(ip) -> bool:
        return any(ip.version == network.version and ip in network for network in networks)

    if networks and trusted(address):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")  # repeated headers arrive joined by ","
        for part in reversed([part for part in forwarded.split(",") if part.strip()]):
            hop = _clean(part)
            if hop is None:
                break  # garbage in the chain: trust nothing further left
            address = hop
            if not trusted(hop):
                break
    return str(address)


def client_address_for_limits(request) -> str:
    """The address a per-address limit counts: IPv6 clients by their /64 network (one home or
    phone usually holds a whole /64, and could otherwise take a fresh address per request)."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return address
