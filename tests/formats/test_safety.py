"""Hostile and broken input: clear one-line errors naming the file and the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from topology.formats import FormatError, parse_bytes, parse_file
from topology.formats.source import MAX_INFLATED, inflate, read_capped

DATA = Path(__file__).parent / "data"


def test_entity_bomb_refused() -> None:
    with pytest.raises(FormatError, match=r"bomb\.cnml: unsafe XML refused"):
        parse_file(DATA / "bomb.cnml")


def test_external_entity_refused() -> None:
    with pytest.raises(FormatError, match="unsafe XML refused") as err:
        parse_file(DATA / "external.cnml")
    assert "root:" not in str(err.value)  # /etc/passwd was never read


def test_bad_value_names_the_element() -> None:
    with pytest.raises(FormatError) as err:
        parse_file(DATA / "bad-latitude.cnml")
    assert str(err.value).endswith(
        "bad-latitude.cnml: zone 7 > node 12: latitude 'north' is not a number"
    )


def test_size_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b"{}" * 600)
    with pytest.raises(FormatError, match=r"big.json: file is 1,200 bytes, above the 1,000"):
        read_capped(big, max_bytes=1000)


def test_deflate_bomb_capped() -> None:
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    packet = c.compress(b"{" + b" " * (MAX_INFLATED * 4)) + c.flush()
    with pytest.raises(FormatError, match="inflates to more than"):
        inflate(packet, "packet")


@pytest.mark.parametrize(
    ("data", "fmt", "needle"),
    [
        (b"", "auto", "<input>: file is empty"),
        (b"   \n", "netjson", "<input>: file is empty"),
        (b'{"type": "NetworkGraph", "nodes": [', "netjson", "line 1 column"),
        (b'{"type": "NetworkRoutes"}', "netjson", "type is 'NetworkRoutes', not 'NetworkGraph'"),
        (b'{"nodes": [{"hostname": "x"}], "links": []}', "meshviewer", "nodes[0]: node without"),
        (b"<cnml><network/></cnml>", "auto", "no <class> element"),
        (b"<html></html>", "auto", "neither CNML nor Guifi GML"),
        (b"[1, 2]", "bmx6", "<input>: "),
        (b"hello", "auto", "cannot tell the format"),
    ],
)
def test_clear_errors(data: bytes, fmt: str, needle: str) -> None:
    with pytest.raises(FormatError) as err:
        parse_bytes(data, fmt=fmt)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_netjson_careful_path_names_the_link() -> None:
    """A graph the fast path cannot take (a bad link) goes through the careful loop,
    which names the link; both directions of a pair become one link, the cheaper."""
    bad = b'{"type": "NetworkGraph", "nodes": [{"id": "a"}], "links": [' \
          b'{"source": "a", "target": "b", "cost": 1}, {"source": "a", "target": 7}]}'
    with pytest.raises(FormatError, match=r"links\[1\]: link without source and target"):
        parse_bytes(bad, fmt="netjson")
    both = b'{"type": "NetworkGraph", "nodes": [], "links": [' \
           b'{"source": "a", "target": "b", "cost": 3}, {"source": "b", "target": "a", "cost": 2}]}'
    (link,) = parse_bytes(both, fmt="netjson").links
    assert (link.a, link.b, link.cost) == ("a", "b", 2)


@pytest.mark.parametrize(
    ("topology", "needle"),
    [
        ('[{"lastHopIP": "a", "destinationIP": "b", "tcEdgeCost": "x"}]', "topology[0]"),
        ('[{"lastHopIP": "a", "destinationIP": 3, "tcEdgeCost": 1024}]', "topology[0]"),
        ('[{"lastHopIP": "a"}]', "topology[0]"),
    ],
)
def test_olsr_bad_entries_named(topology: str, needle: str) -> None:
    data = ('{"topology": ' + topology + ', "mid": []}').encode()
    with pytest.raises(FormatError) as err:
        parse_bytes(data, fmt="olsr")
    assert needle in str(err.value)
