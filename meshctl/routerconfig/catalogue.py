"""The device models ``meshctl node register`` knows, and what the router config needs
of each: its Ethernet ports, its radio band, whether it runs OpenWrt.

A small built-in list (the sample network's models and common community-network CPEs),
plus the radios of the planning catalogue ``inventories/equipment.yaml`` when it is
there (its names and aliases; band from its frequency), plus ``load_catalogue(path)``: a
YAML list with this module's keys, to extend or override both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


class CatalogueError(ValueError):
    """An unknown model, or a catalogue file that cannot be read."""


@dataclass(frozen=True, slots=True)
class DeviceModel:
    name: str  # as written in inventories ("Ubiquiti NanoStation M5")
    kind: str  # radio (a CPE or backbone radio), router
    band: str  # 2g, 5g, 60g; "" for a router without radio
    ports: tuple[str, ...]  # Ethernet ports, the first one bridged into the LAN
    openwrt: bool = True  # runs OpenWrt (the UCI files apply as they are)
    protocol: str = "802.11n"  # netjsonconfig radio protocol
    aliases: tuple[str, ...] = ()  # other names it is written as


BUILT_IN: tuple[DeviceModel, ...] = (
    DeviceModel("Ubiquiti NanoStation M5", "radio", "5g", ("eth0", "eth1")),
    DeviceModel("Ubiquiti LiteBeam 5AC Gen2", "radio", "5g", ("eth0",), protocol="802.11ac"),
    DeviceModel("Ubiquiti PowerBeam 5AC 500", "radio", "5g", ("eth0",), protocol="802.11ac"),
    DeviceModel("MikroTik SXTsq 5 ac", "radio", "5g", ("eth0",), protocol="802.11ac"),
    DeviceModel("MikroTik mANTBox 19s", "radio", "5g", ("eth0",), openwrt=False),
    DeviceModel("MikroTik Wireless Wire 60 GHz", "radio", "60g", ("eth0",), openwrt=False,
                protocol="802.11ad", aliases=("MikroTik Wireless Wire (wAP 60G)",)),
    DeviceModel("MikroTik hAP ac2", "router", "5g", ("lan1", "lan2", "lan3", "lan4", "wan"),
                protocol="802.11ac"),
    DeviceModel("Ubiquiti EdgeRouter X", "router", "", ("eth1", "eth2", "eth3", "eth4", "eth0")),
    DeviceModel("TP-Link CPE510", "radio", "5g", ("eth0",)),
    DeviceModel("GL.iNet GL-MT6000", "router", "5g", ("lan1", "lan2", "lan3", "lan4", "wan"),
                protocol="802.11ax"),
)


def _entry(raw: Any, where: str) -> DeviceModel:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise CatalogueError(f"{where}: each model needs a name")
    ports = raw.get("ports", ["eth0"])
    if not isinstance(ports, list) or not ports or not all(isinstance(p, str) for p in ports):
        raise CatalogueError(f"{where}: ports must be a non-empty list of interface names")
    band = str(raw.get("band", "5g"))
    if band not in ("", "2g", "5g", "60g"):
        raise CatalogueError(f"{where}: band {band!r} is not one of 2g, 5g, 60g")
    return DeviceModel(
        raw["name"],
        str(raw.get("kind", "radio")),
        band,
        tuple(ports),
        bool(raw.get("openwrt", True)),
        str(raw.get("protocol", "802.11n")),
    )


#: The planning engineers' radio catalogue (optional; read for its names only).
EQUIPMENT = Path(__file__).resolve().parents[2] / "inventories" / "equipment.yaml"


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def equipment_models(path: Path = EQUIPMENT) -> list[DeviceModel]:
    """The radios of the planning catalogue as device models (``[]`` if it is absent or
    not readable: it is optional here). Band from ``frequency_mhz``; MikroTik radios
    are taken as not running OpenWrt."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return []
    raw = data.get("models") if isinstance(data, dict) else None
    out: list[DeviceModel] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        freq = item.get("frequency_mhz")
        mhz = float(freq) if isinstance(freq, int | float) else 5800.0
        band = "60g" if mhz >= 57_000 else "5g" if mhz >= 4_900 else "2g"
        vendor = str(item.get("vendor") or "")
        raw_aliases = item.get("aliases")
        aliases: list[Any] = raw_aliases if isinstance(raw_aliases, list) else []
        out.append(DeviceModel(
            f"{vendor} {item['name']}".strip(), "radio", band, ("eth0",),
            openwrt=vendor.lower() != "mikrotik",
            protocol="802.11ad" if band == "60g" else "802.11n",
            aliases=(str(item["name"]), *(str(a) for a in aliases)),
        ))
    return out


def load_catalogue(
    path: Path | None = None, equipment: Path | None = EQUIPMENT
) -> dict[str, DeviceModel]:
    """Models by name: the built-in ones, the planning catalogue's radios not already
    among them (``equipment``; None: skip it), and those in ``path``, a YAML list of
    ``{name, kind, band, ports, openwrt, protocol}`` (they win)."""
    models = {m.name: m for m in BUILT_IN}
    if equipment is not None:
        for model in equipment_models(equipment):
            names = (model.name, *model.aliases)
            keys = {_key(n) for n in names}
            same = next((m for m in models.values()
                         if keys & {_key(n) for n in (m.name, *m.aliases)}), None)
            if same is None:
                models[model.name] = model
            else:  # a built-in model: it learns the catalogue's names for it
                extra = tuple(n for n in names if n != same.name and n not in same.aliases)
                models[same.name] = replace(same, aliases=(*same.aliases, *extra))
    if path is None:
        return models
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read the catalogue: {exc}") from None
    items = data.get("models", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise CatalogueError(f"{path}: expected a list of models (or models: [...])")
    for i, raw in enumerate(items):
        model = _entry(raw, f"{path}: models[{i}]")
        models[model.name] = model
    return models


def find_model(models: dict[str, DeviceModel], name: str) -> DeviceModel:
    """The model called ``name`` or one of its aliases (case and spacing ignored), or
    the only one whose name contains it; else a clear error."""
    key = _key(name)
    for model in models.values():
        if key in {_key(n) for n in (model.name, *model.aliases)}:
            return model
    near = [m.name for m in models.values()
            if key and any(key in _key(n) for n in (m.name, *m.aliases))]
    if len(near) == 1:  # "nanostation m5" is enough
        return models[near[0]]
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise CatalogueError(f"unknown device model {name!r}{hint}; known: {', '.join(models)}")
