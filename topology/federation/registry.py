"""The federation registry: which communities federate, their keys and address space.

A YAML file the communities agree on and each service loads::

    communities:
      - slug: alpha
        name: Alpha Mesh
        url: http://alpha.example.net:8470
        public_key: 3q2+7w...=        # meshctl federation whoami
        ipv4: [10.1.0.0/16, 172.16.1.0/24]
        ipv6: [fd01::/48]

Delegations that overlap (two communities, or one listed twice) are refused on load:
an address may belong to one community only. Parsing is pure; :func:`load_registry`
only adds reading the file.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from topology.federation.errors import FederationError, RegistryError
from topology.federation.identity import fingerprint
from topology.model import ModelError, check_slug

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_KEYS = {"slug", "name", "url", "public_key", "ipv4", "ipv6"}


@dataclass(frozen=True, slots=True)
class Member:
    """One community of the registry."""

    slug: str
    name: str
    url: str
    public_key: str
    fingerprint: str
    delegations: tuple[Network, ...]

    def covers(self, text: str) -> bool:
        """Whether an address or prefix (``10.1.2.3``, ``10.1.2.32/27``, or an interface
        address ``10.1.2.33/27``: its whole network) lies inside a delegation; malformed
        text is covered by nothing."""
        span = address_span(text)
        return span is not None and any(
            d.version == span[0]
            and int(d.network_address) <= span[1]
            and span[2] <= int(d.broadcast_address)
            for d in self.delegations
        )

    def delegation_texts(self) -> dict[str, list[str]]:
        return {
            "ipv4": [str(d) for d in self.delegations if d.version == 4],
            "ipv6": [str(d) for d in self.delegations if d.version == 6],
        }


@dataclass(frozen=True, slots=True)
class Registry:
    members: tuple[Member, ...] = ()

    def member(self, slug: str) -> Member | None:
        return next((m for m in self.members if m.slug == slug), None)

    def by_fingerprint(self, fp: str) -> Member | None:
        return next((m for m in self.members if m.fingerprint == fp), None)


def address_span(text: str) -> tuple[int, int, int] | None:
    """(IP version, first, last address as integers) of an address or prefix text."""
    try:
        net = ipaddress.ip_interface(text).network
    except ValueError:
        return None
    return net.version, int(net.network_address), int(net.broadcast_address)


def _networks(value: Any, where: str, family: int) -> list[Network]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RegistryError(f"{where}: expected a list of prefixes")
    out: list[Network] = []
    for i, text in enumerate(value):
        try:
            net = ipaddress.ip_network(str(text), strict=True)
        except ValueError as exc:
            raise RegistryError(f"{where}[{i}]: {text!r} is not a prefix: {exc}") from None
        if net.version != family:
            raise RegistryError(f"{where}[{i}]: {text} is not an IPv{family} prefix")
        out.append(net)
    return out


def _member(entry: Any, where: str) -> Member:
    if not isinstance(entry, Mapping):
        raise RegistryError(f"{where}: expected a mapping with slug, public_key, ipv4, ipv6")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {unknown} (known: {sorted(_KEYS)})")
    slug = entry.get("slug")
    key = entry.get("public_key")
    if not isinstance(slug, str):
        raise RegistryError(f"{where}.slug: a community slug is required")
    try:
        check_slug(slug, "community slug")
    except ModelError as exc:
        raise RegistryError(f"{where}.slug: {exc}") from None
    if not isinstance(key, str):
        raise RegistryError(f"{where}.public_key: the community's public key is required")
    try:
        fp = fingerprint(key)
    except FederationError as exc:
        raise RegistryError(f"{where}.public_key: {exc}") from None
    nets = _networks(entry.get("ipv4"), f"{where}.ipv4", 4)
    nets += _networks(entry.get("ipv6"), f"{where}.ipv6", 6)
    return Member(
        slug=slug,
        name=str(entry.get("name") or slug),
        url=str(entry.get("url") or ""),
        public_key=key,
        fingerprint=fp,
        delegations=tuple(nets),
    )


def overlaps(members: Iterable[Member]) -> list[str]:
    """One message per pair of overlapping delegations (sorted sweep, O(n log n))."""
    spans = sorted(
        (d.version, int(d.network_address), int(d.broadcast_address), str(d), m.slug)
        for m in members
        for d in m.delegations
    )
    problems = []
    widest: tuple[int, int, int, str, str] | None = None
    for span in spans:
        if widest is not None and widest[0] == span[0] and span[1] <= widest[2]:
            problems.append(
                f"delegation {span[3]} of {span[4]} overlaps {widest[3]} of {widest[4]}"
            )
        if widest is None or widest[0] != span[0] or span[2] > widest[2]:
            widest = span
    return problems


def parse_registry(data: Any, where: str = "registry") -> Registry:
    """A registry from the loaded YAML; :class:`RegistryError` names the entry and key."""
    if not isinstance(data, Mapping) or not isinstance(data.get("communities"), list):
        raise RegistryError(f"{where}: expected a mapping with a list 'communities'")
    unknown = sorted(set(data) - {"communities"})
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {unknown} (known: ['communities'])")
    members = [_member(e, f"{where}: communities[{i}]") for i, e in enumerate(data["communities"])]
    seen: dict[str, str] = {}
    for m in members:
        for other, what in ((m.slug, "slug"), (m.fingerprint, "public key")):
            if other in seen:
                raise RegistryError(f"{where}: {what} of {m.slug} is listed twice")
            seen[other] = m.slug
    problems = overlaps(members)
    if problems:
        raise RegistryError(f"{where}: overlapping delegations refused: {'; '.join(problems)}")
    return Registry(tuple(members))


def load_registry(path: Path) -> Registry:
    """Read and check a registry file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read the federation registry: {exc}") from None
    return parse_registry(data, str(path))
