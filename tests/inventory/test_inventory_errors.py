"""Bad inventories: every issue names file, line (and column) and field; all are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from topology.inventory import InventoryError, InventoryIssue, load_inventory, loads_inventory
from topology.inventory import loader as loader_module

HEAD = """\
community: {slug: test, name: Test Mesh}
zones:
  - {id: region, name: Region}
  - {id: town, name: Town, parent: region}
"""
NODE = """\
  - id: {id}
    name: Node {id}
    zone: town
    status: Working
    position: {{lat: 44.1, lon: -71.2}}
"""


def nodes(*ids: str) -> str:
    return "nodes:\n" + "".join(NODE.format(id=i) for i in ids)


def issues_of(tmp_path: Path, text: str, name: str = "inv.yaml") -> list[InventoryIssue]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    assert str(info.value).count("\n") == len(info.value.issues)  # one line each + header
    return list(info.value.issues)


def only(issues: list[InventoryIssue]) -> InventoryIssue:
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


def test_valid_base_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD + nodes("n1", "n2"))
    model = load_inventory(path)
    assert [n.id for n in model.nodes] == ["test:n1", "test:n2"]


def test_wrong_type(tmp_path: Path) -> None:
    text = HEAD + nodes("n1").replace("lat: 44.1", "lat: north")
    issue = only(issues_of(tmp_path, text))
    assert (issue.line, issue.field) == (10, "nodes[0].position.lat")
    assert "number" in issue.message and "'north'" in issue.message
    assert str(issue).startswith(f"{tmp_path / 'inv.yaml'}:10:")


def test_unknown_field_suggests(tmp_path: Path) -> None:
    text = HEAD + nodes("n1") + "    antena: 12\n"
    issue = only(issues_of(tmp_path, text))
    assert (issue.line, issue.column, issue.field) == (11, 5, "nodes[0].antena")
    assert issue.message.startswith("unknown field")
    far = only(issues_of(tmp_path, HEAD + nodes("n1") + "    xyzzy: 1\n"))
    assert "allowed: id, name, zone, position" in far.message


def test_latitude_out_of_range(tmp_path: Path) -> None:
    text = HEAD + nodes("n1").replace("lat: 44.1", "lat: 95.0")
    issue = only(issues_of(tmp_path, text))
    where = f"{tmp_path / 'inv.yaml'}:10:16"
    assert str(issue) == f"{where}: nodes[0].position.lat: 95.0 is outside -90..90"


def test_unknown_status_lists_the_choices(tmp_path: Path) -> None:
    text = HEAD + nodes("n1").replace("status: Working", "status: working")
    issue = only(issues_of(tmp_path, text))
    assert (issue.line, issue.field) == (9, "nodes[0].status")
    assert "'working' is not one of 'Planned'" in issue.message and "'Working'" in issue.message


def test_duplicate_node_id_points_at_the_second(tmp_path: Path) -> None:
    issue = only(issues_of(tmp_path, HEAD + nodes("n1", "n2", "n1")))
    assert (issue.line, issue.column, issue.field) == (16, 5, "nodes[2].id")
    assert "used more than once (first at line 6)" in issue.message


def test_link_to_unknown_node(tmp_path: Path) -> None:
    text = HEAD + nodes("n1", "n2") + "links:\n  - {a: n1, b: n3, type: wds}\n"
    issue = only(issues_of(tmp_path, text))
    assert (issue.line, issue.column, issue.field) == (17, 13, "links[0].b")
    assert issue.message == "node 'n3' does not exist"


def test_border_link_to_another_community_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD + nodes("n1") + "links:\n  - {a: n1, b: 'other:n9', type: tunnel}\n")
    (link,) = load_inventory(path).links
    assert (link.id, link.a, link.b) == ("test:n1--other.n9", "test:n1", "other:n9")


def test_unknown_zone_with_hint(tmp_path: Path) -> None:
    issue = only(issues_of(tmp_path, HEAD + nodes("n1").replace("zone: town", "zone: twon")))
    assert (issue.line, issue.field) == (8, "nodes[0].zone")
    assert issue.message == "zone 'twon' does not exist (did you mean 'town'?)"


def test_zone_parent_cycle(tmp_path: Path) -> None:
    text = HEAD.replace("{id: region, name: Region}", "{id: region, name: Region, parent: town}")
    issues = issues_of(tmp_path, text)
    assert [(i.line, i.field) for i in issues] == [(3, "zones[0].parent"), (4, "zones[1].parent")]
    assert "region -> town -> region" in issues[0].message


def test_duplicate_key(tmp_path: Path) -> None:
    text = HEAD + nodes("n1") + "    status: Planned\n"
    issue = only(issues_of(tmp_path, text))
    assert (issue.line, issue.column, issue.field) == (11, 5, "nodes[0].status")
    assert issue.message == "duplicate key 'status' (first at line 9)"


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = HEAD + nodes("n1").replace("{lat: 44.1, lon: -71.2}", "{lat: 44.1, lon: -71.2")
    issue = only(issues_of(tmp_path, text))
    assert issue.line is not None and 10 <= issue.line <= 11
    assert issue.message.startswith("YAML syntax error")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    issue = only(issues_of(tmp_path, text))
    assert (issue.line, issue.field) == (1, "")
    assert "the file is empty" in issue.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    issue = only(issues_of(tmp_path, "- a\n- b\n"))
    assert "top level must be a mapping" in issue.message and "a list" in issue.message


def test_several_errors_reported_together_in_line_order(tmp_path: Path) -> None:
    text = (
        HEAD
        + nodes("n1", "n2", "n3")
        .replace("lat: 44.1", "lat: -91", 1)
        .replace("status: Working", "status: Live", 2)
        + "    color: red\n"
    )
    issues = issues_of(tmp_path, text)
    assert [i.field for i in issues] == [
        "nodes[0].status",
        "nodes[0].position.lat",
        "nodes[1].status",
        "nodes[2].color",
    ]
    assert [i.line for i in issues] == sorted(i.line or 0 for i in issues)


def test_cross_reference_errors_reported_together(tmp_path: Path) -> None:
    text = (
        HEAD
        + nodes("n1", "n1").replace("zone: town", "zone: nowhere", 1)
        + "links:\n  - {a: n1, b: n7}\n  - {a: n1, b: n1}\n"
    )
    issues = issues_of(tmp_path, text)
    assert [i.field for i in issues] == ["nodes[0].zone", "nodes[1].id", "links[0].b", "links[1].b"]
    assert "to itself" in issues[3].message


def test_bad_link_id_and_derived_duplicates(tmp_path: Path) -> None:
    text = (
        HEAD + nodes("n1", "n2") + "links:\n  - {a: n1, b: n2}\n  - {a: n1, b: n2}\n"
        "  - {id: 'bad id', a: n1, b: n2}\n"
    )
    issues = issues_of(tmp_path, text)
    assert [(i.line, i.field) for i in issues] == [(18, "links[1]"), (19, "links[2].id")]
    assert "give the link an id" in issues[0].message and "first at line 17" in issues[0].message


def test_address_errors(tmp_path: Path) -> None:
    text = (
        HEAD
        + nodes("n1")
        + """\
pools:
  - {prefix: 10.0.0.1/8, purpose: lan}
  - {prefix: 'fd00::/48', purpose: lan, zone: nowhere}
allocations:
  - {prefix: 10.1.0.0/27, purpose: lan, holder_kind: node, holder: n2}
  - {prefix: 10.1.0.32/27, purpose: lan, holder_kind: node, holder: n2, released_at: 2024-01-01}
"""
    )
    first = issues_of(tmp_path, text)
    assert [(i.line, i.field) for i in first] == [(12, "pools[0].prefix")]
    assert "has host bits set" in first[0].message
    second = issues_of(tmp_path, text.replace("10.0.0.1/8", "10.0.0.0/8"))
    assert [(i.line, i.column, i.field) for i in second] == [
        (13, 6, "pools[1].prefix"),
        (13, 41, "pools[1].zone"),
        (15, 60, "allocations[0].holder"),
    ]
    assert "IPv6, but purpose 'lan' takes IPv4" in second[0].message


def test_python_tags_are_refused_not_run(tmp_path: Path) -> None:
    issue = only(issues_of(tmp_path, "community: !!python/object/apply:os.system [echo hi]\n"))
    assert issue.line == 1 and "YAML error" in issue.message


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 10) + "]" for k in range(1, 8)]
    issue = only(issues_of(tmp_path, "\n".join(lines) + "\n"))
    assert "aliases" in issue.message and "expand" in issue.message


def test_file_too_big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader_module, "MAX_FILE_BYTES", 100)
    issue = only(issues_of(tmp_path, HEAD + nodes("n1")))
    assert issue.line is None and "the limit is 100" in issue.message
    with pytest.raises(InventoryError, match="the limit is 100"):
        loads_inventory(HEAD + nodes("n1"))


def test_directory_errors_name_their_file(tmp_path: Path) -> None:
    (tmp_path / "community.yaml").write_text(HEAD)
    (tmp_path / "town").mkdir()
    (tmp_path / "town" / "nodes.yml").write_text(nodes("n1", "n1"))
    (tmp_path / "town" / "more.yaml").write_text(
        "community: {slug: again, name: Again}\n" + nodes("n1")
    )
    with pytest.raises(InventoryError) as info:
        load_inventory(tmp_path)
    got = [
        (Path(i.file).relative_to(tmp_path).as_posix(), i.line, i.field) for i in info.value.issues
    ]
    assert got == [  # files in sorted path order, each in line order
        ("town/more.yaml", 1, "community"),
        ("town/nodes.yml", 2, "nodes[0].id"),
        ("town/nodes.yml", 7, "nodes[1].id"),
    ]
    issues = info.value.issues
    assert issues[0].message.endswith(f"(first at {tmp_path / 'community.yaml'}:1)")
    assert issues[1].message.endswith(f"(first at {tmp_path / 'town' / 'more.yaml'}:3)")
    assert issues[2].message.endswith(f"(first at {tmp_path / 'town' / 'more.yaml'}:3)")
    (tmp_path / "town" / "more.yaml").write_text(nodes("n1"))
    with pytest.raises(InventoryError) as info:
        load_inventory(tmp_path)
    got = [(Path(i.file).name, i.line, i.field) for i in info.value.issues]
    assert got == [("nodes.yml", 2, "nodes[0].id"), ("nodes.yml", 7, "nodes[1].id")]


def test_no_community_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=r"no \.yaml or \.yml files"):
        load_inventory(tmp_path)
    issue = only(issues_of(tmp_path, nodes("n1")))
    assert issue.field == "community" and issue.line is None
    assert "no file defines the community" in issue.message


def test_issue_cap(tmp_path: Path) -> None:
    text = HEAD + nodes(*(f"n{k}" for k in range(300))).replace(
        "status: Working", "status: Unknown"
    )
    path = tmp_path / "many.yaml"
    path.write_text(text)
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    assert len(info.value.issues) == 200 and info.value.omitted == 100
    assert str(info.value).startswith("inventory has 300 errors:")
    assert str(info.value).endswith("... and 100 more")


def test_unreadable_bytes_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"community: {slug: t, name: T}\nnote: \xff\xfe\n")
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    issue = only(list(info.value.issues))
    assert issue.line == 2 and "unreadable text" in issue.message
    with pytest.raises(InventoryError, match="cannot read the file"):
        load_inventory(tmp_path / "missing.yaml")


def test_quoting_hint_and_strict_booleans(tmp_path: Path) -> None:
    text = HEAD + nodes("n1").replace("name: Node n1", "name: 2024") + "    gateway: 'yes'\n"
    issues = issues_of(tmp_path, text)
    assert [i.message for i in issues] == [
        "expected text, got 2024 (write it in quotes)",
        "expected true or false, got 'yes'",
    ]


def test_empty_sections_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    text = HEAD + nodes("n1") + "    devices:\n      - id: r\n        interfaces:\nlinks:\npools:\n"
    path.write_text(text)
    model = load_inventory(path)
    assert model.links == () and model.nodes[0].devices[0].interfaces == ()
