"""The equipment catalogue: radios with TX power, antenna gain, sensitivity per rate, price.

:func:`parse_catalogue` checks a parsed YAML document (see ``inventories/equipment.yaml``)
and :func:`load_catalogue` reads one. :meth:`Catalogue.model` finds a model by name or
alias, ignoring case, spaces and dashes, so inventory device models match
("Ubiquiti NanoStation M5" is the "NanoStation M5").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from topology.planning.errors import PlanningError

ROLES = ("ap", "cpe", "backhaul")
#: The catalogue shipped with meshcommons.
DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "inventories" / "equipment.yaml"


@dataclass(frozen=True, slots=True)
class Equipment:
    """One radio model. ``rates`` are (Mbps, sensitivity dBm), slowest first."""

    name: str
    vendor: str
    frequency_mhz: float
    tx_power_dbm: float
    antenna_gain_dbi: float
    rates: tuple[tuple[float, float], ...]
    price_usd: float = 0.0
    cable_loss_db: float = 0.0
    loss_db_per_km: float = 0.0
    roles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def sensitivity_dbm(self) -> float:
        """Sensitivity at the lowest rate: the weakest signal that still links."""
        return self.rates[0][1]


@dataclass(frozen=True, slots=True)
class Catalogue:
    models: tuple[Equipment, ...]
    defaults: Mapping[str, str]  # role -> model name

    def model(self, name: str) -> Equipment:
        """The model called ``name`` (or one of its aliases)."""
        key = _key(name)
        for m in self.models:
            if key in {_key(m.name), *(_key(a) for a in m.aliases)}:
                return m
        known = ", ".join(m.name for m in self.models)
        raise PlanningError(f"unknown equipment model {name!r}: the catalogue has {known}")

    def default(self, role: str) -> Equipment:
        if role not in self.defaults:
            raise PlanningError(f"the catalogue names no default {role} model")
        return self.model(self.defaults[role])

    def find(self, name: str) -> Equipment | None:
        """Like :meth:`model` but ``None`` for an unknown name (inventory device models)."""
        try:
            return self.model(name)
        except PlanningError:
            return None


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).lower()


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read a catalogue file (default: the one shipped in ``inventories/``)."""
    path = path or DEFAULT_CATALOGUE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanningError(f"{path}: not valid YAML: {exc}") from None
    return parse_catalogue(data, source=str(path))


def parse_catalogue(data: Any, *, source: str = "catalogue") -> Catalogue:
    """Check a parsed catalogue document; every problem names its model and field."""
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise PlanningError(f"{source}: expected a mapping with a 'models' list")
    models = tuple(_model(source, i, m) for i, m in enumerate(data["models"]))
    names = [_key(m.name) for m in models]
    if len(set(names)) != len(names):
        raise PlanningError(f"{source}: a model name is used twice")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise PlanningError(f"{source}: 'defaults' must map a role to a model name")
    cat = Catalogue(models, {str(k): str(v) for k, v in defaults.items()})
    for role in cat.defaults:
        cat.default(role)  # an unknown default model fails here, at load time
    return cat


def _model(source: str, i: int, raw: Any) -> Equipment:
    where = f"{source}: models[{i}]"
    if not isinstance(raw, dict) or not raw.get("name"):
        raise PlanningError(f"{where}: expected a mapping with a 'name'")
    where = f"{source}: model {raw['name']!r}"

    def number(field: str, default: float | None = None) -> float:
        value = raw.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlanningError(f"{where}: {field} must be a number, got {value!r}")
        return float(value)

    sens = raw.get("sensitivity_dbm")
    if not isinstance(sens, dict) or not sens:
        raise PlanningError(f"{where}: sensitivity_dbm must map rates (Mbps) to dBm")
    try:
        rates = tuple(sorted((float(r), float(s)) for r, s in sens.items()))
    except (TypeError, ValueError):
        raise PlanningError(f"{where}: sensitivity_dbm must map numbers to numbers") from None
    roles = tuple(str(r) for r in raw.get("roles", ()))
    for role in roles:
        if role not in ROLES:
            raise PlanningError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
    freq = number("frequency_mhz")
    if freq <= 0:
        raise PlanningError(f"{where}: frequency_mhz must be positive")
    return Equipment(
        name=str(raw["name"]),
        vendor=str(raw.get("vendor", "")),
        frequency_mhz=freq,
        tx_power_dbm=number("tx_power_dbm"),
        antenna_gain_dbi=number("antenna_gain_dbi"),
        rates=rates,
        price_usd=number("price_usd", 0.0),
        cable_loss_db=number("cable_loss_db", 0.0),
        loss_db_per_km=number("loss_db_per_km", 0.0),
        roles=roles,
        aliases=tuple(str(a) for a in raw.get("aliases", ())),
    )
