"""Models for the inventory tests: a hypothesis strategy of valid models, and the
sample varied by hand to hit every corner of the format."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from topology.model import (
    AddressPlan,
    Allocation,
    BBox,
    Community,
    Contact,
    Device,
    DeviceType,
    HolderKind,
    Interface,
    InterfaceType,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Pool,
    Position,
    Purpose,
    Radio,
    RadioMode,
    Role,
    Status,
    Zone,
)

TRICKY = [
    "", "yes", "No", "null", "~", "12:30", "1e5", "0x1F", "2024-01-01", "#hash", "- dash",
    "a: b", "{x}", "[y]", "it's", 'say "hi"', "back\\slash", " lead", "trail ", "line\nbreak",
    "tab\there", "Montréal", "Ελλάδα", "😀 emoji", "nul\x00", "\u2028sep", "*star", "&amp",
    "!bang", "%pct", "@at", "`tick`", "|pipe", ">gt", "---", "...", "= eq", "<< merge",
]  # fmt: skip

slugs = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
local_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,14}[A-Za-z0-9]", fullmatch=True)
texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
zones_tz = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)
datetimes = st.builds(
    lambda d, tz: d.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)),
    zones_tz,
)
macs = st.one_of(
    st.just(""), st.binary(min_size=6, max_size=6).map(lambda b: ":".join(f"{x:02x}" for x in b))
)
ipv4s = st.one_of(
    st.just(""),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(1, 32)).map(
        lambda t: f"10.{t[0]}.{t[1]}.1/{t[2]}"
    ),
)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


radios = st.builds(
    Radio,
    mode=st.sampled_from(RadioMode),
    ssid=texts,
    channel=_opt(st.integers(0, 200)),
    frequency_mhz=_opt(st.integers(1, 70000)),
    protocol=texts,
    antenna_gain_dbi=_opt(finite),
    azimuth_deg=_opt(st.floats(0, 360)),
)
interfaces = st.builds(
    Interface,
    name=texts,
    type=st.sampled_from(InterfaceType),
    mac=macs,
    ipv4=ipv4s,
    ipv6=st.sampled_from(["", "fd00:1:2::1/64"]),
    radio=_opt(radios),
)
metrics = st.builds(
    LinkMetrics,
    cost=_opt(finite),
    rx_cost=_opt(finite),
    tx_cost=_opt(finite),
    signal_dbm=_opt(finite),
    rate_mbps=_opt(finite),
    last_seen=_opt(datetimes),
)
positions = st.builds(
    Position, lat=st.floats(-90, 90), lon=st.floats(-180, 180), antenna_height_m=st.floats(0, 1000)
)


@st.composite
def devices(draw: st.DrawFn) -> tuple[Device, ...]:
    ids = draw(st.lists(local_ids, max_size=3, unique=True))
    return tuple(
        Device(
            id=i,
            name=draw(st.one_of(st.just(i), texts)),
            type=draw(st.sampled_from(DeviceType)),
            model=draw(texts),
            firmware=draw(texts),
            status=draw(st.sampled_from(Status)),
            interfaces=tuple(draw(st.lists(interfaces, max_size=2))),
        )
        for i in ids
    )


@st.composite
def network_models(draw: st.DrawFn) -> NetworkModel:
    """A valid model: every cross-reference holds (``validate()`` finds nothing)."""
    slug = draw(slugs)
    community = Community(slug=slug, name=draw(texts), url=draw(texts), licence=draw(texts))
    plan = draw(
        st.sampled_from(
            [AddressPlan(), AddressPlan(ipv4_lan="10.5.0.0/16", p2p_prefixlen=31, holddown_s=60)]
        )
    )
    zone_ids = draw(st.lists(slugs, min_size=1, max_size=4, unique=True))
    zones = []
    for k, z in enumerate(zone_ids):
        parent = draw(st.one_of(st.none(), st.sampled_from(zone_ids[:k]))) if k else None
        bbox = draw(st.one_of(st.none(), st.just(BBox(44.0, -72.0, 45.0, -71.0))))
        zones.append(
            Zone(
                id=z,
                name=draw(texts),
                parent_id=parent,
                bbox=bbox,
                dns_servers=tuple(draw(st.lists(texts, max_size=2))),
                ntp_servers=tuple(draw(st.lists(texts, max_size=2))),
            )
        )
    locals_ = draw(st.lists(local_ids, min_size=2, max_size=8, unique=True))
    nodes = []
    for loc in locals_:
        contact = draw(_opt(st.builds(Contact, name=texts, email=texts, phone=texts)))
        nodes.append(
            Node(
                id=f"{slug}:{loc}",
                name=draw(texts),
                zone_id=draw(st.sampled_from(zone_ids)),
                position=draw(positions),
                status=draw(st.sampled_from(Status)),
                role=draw(st.sampled_from(Role)),
                gateway=draw(st.booleans()),
                devices=draw(devices()),
                contact=contact,
                private_position=draw(st.booleans()),
                owner=draw(texts),
                created=draw(_opt(datetimes)),
                updated=draw(_opt(datetimes)),
            )
        )
    node_ids = [n.id for n in nodes]
    ends = st.one_of(st.sampled_from(node_ids), st.just("elsewhere:border-node"))
    links = []
    link_ids: set[str] = set()
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.sampled_from(node_ids))
        b = draw(ends)
        if b == a:
            continue
        explicit = draw(st.booleans())
        local = (
            draw(local_ids)
            if explicit
            else "--".join(e.replace(f"{slug}:", "", 1).replace(":", ".") for e in (a, b))
        )
        if f"{slug}:{local}" in link_ids:
            continue
        link_ids.add(f"{slug}:{local}")
        links.append(
            Link(
                id=f"{slug}:{local}",
                a=a,
                b=b,
                type=draw(st.sampled_from(LinkType)),
                status=draw(st.sampled_from(Status)),
                metrics=draw(metrics),
                a_interface=draw(texts),
                b_interface=draw(texts),
            )
        )
    pools = [Pool("10.0.0.0/8", Purpose.LAN), Pool("fd00::/48", Purpose.IPV6, zone_ids[0])]
    allocations = []
    for k, n in enumerate(draw(st.lists(st.sampled_from(nodes), max_size=3))):
        allocations.append(
            Allocation(
                prefix=f"10.0.{k}.0/27",
                purpose=Purpose.LAN,
                holder_kind=HolderKind.NODE,
                holder_id=n.id,
                pool=draw(st.sampled_from(["", "10.0.0.0/8"])),
                allocated_at=draw(_opt(datetimes)),
                released_at=draw(_opt(datetimes)),
                note=draw(texts),
            )
        )
    allocations.append(Allocation("fd00:0:0:100::/56", Purpose.IPV6, HolderKind.ZONE, zone_ids[0]))
    allocations.append(Allocation("10.9.0.0/24", Purpose.LAN, HolderKind.EXTERNAL, draw(texts)))
    return NetworkModel(
        community=community,
        address_plan=plan,
        zones=tuple(zones),
        nodes=tuple(nodes),
        links=tuple(links),
        pools=tuple(pools),
        allocations=tuple(allocations),
    )


def varied(model: NetworkModel) -> NetworkModel:
    """The sample with every optional corner of the format exercised."""
    slug = model.community.slug
    first, second = model.nodes[0], model.nodes[1]
    odd = replace(
        first,
        name="yes",  # would read back as a boolean unless quoted
        contact=Contact(),  # present but empty
        position=Position(44, -71, 0),  # integers where floats are expected
        created=datetime(2020, 2, 29, 23, 59, 59, 123456),  # naive, with microseconds
        updated=datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5))),
        owner="multi\nline: note # not a comment",
        devices=(
            Device(
                id="d1",
                name="d1",
                type=DeviceType.SWITCH,
                status=Status.TESTING,
                interfaces=(Interface(name="port 1", mac="00:11:22:33:44:55"),),
            ),
        ),
    )
    links = (
        Link(
            id=f"{slug}:border",
            a=second.id,
            b="other-community:their-node",
            type=LinkType.TUNNEL,
            status=Status.TESTING,
        ),
        Link(id=f"{slug}:{first.id.split(':')[1]}--other.x", a=first.id, b="other:x"),
        Link(
            id=f"{slug}:half-measured",
            a=first.id,
            b=second.id,
            type=LinkType.MESH,
            metrics=LinkMetrics(rx_cost=1e-7, rate_mbps=1e16, last_seen=datetime(2024, 5, 1)),
        ),
    )
    plan = AddressPlan(ipv4_lan=model.address_plan.ipv4_lan, p2p_prefixlen=31, holddown_s=0)
    return replace(
        model,
        community=replace(model.community, url="", licence="CC-BY-SA-4.0"),
        address_plan=plan,
        zones=(*model.zones, Zone(id="empty", name="No box, no parent")),
        nodes=(odd, *model.nodes[1:]),
        links=model.links + links,
        allocations=(
            *model.allocations,
            Allocation(
                "172.25.9.0/31", Purpose.BACKBONE, HolderKind.LINK, f"{slug}:border", note="a /31"
            ),
        ),
    )
