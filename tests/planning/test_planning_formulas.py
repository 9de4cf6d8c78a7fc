"""Radio formulas and link budgets against the check values of DOMAIN.md section 6."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from topology.geo import haversine_km
from topology.model import Position
from topology.planning import (
    PlanningError,
    earth_bulge_m,
    fresnel_radius_m,
    fspl_db,
    link_budget,
    load_catalogue,
)
from topology.planning.budget import MARGINAL_LOSS_DB, margin_array, rssi_dbm
from topology.planning.geometry import distance_matrix_km


class TestFormulas:
    @pytest.mark.parametrize(
        ("d_km", "f_mhz", "expected"),
        [(1.0, 2400.0, 100.04), (1.0, 5800.0, 107.71), (5.0, 5800.0, 121.69)],
    )
    def test_fspl(self, d_km: float, f_mhz: float, expected: float) -> None:
        assert fspl_db(d_km, f_mhz) == pytest.approx(expected, abs=0.005)

    def test_fresnel_midpoint_of_5_km_at_5_8_ghz(self) -> None:
        assert fresnel_radius_m(2.5, 2.5, 5.8) == pytest.approx(8.04, abs=0.005)

    @pytest.mark.parametrize(("d_km", "expected"), [(10.0, 1.47), (20.0, 5.89)])
    def test_earth_bulge_at_midpoint(self, d_km: float, expected: float) -> None:
        assert earth_bulge_m(d_km / 2, d_km / 2) == pytest.approx(expected, abs=0.005)

    def test_vectorised_like_scalar(self) -> None:
        d = np.array([1.0, 5.0])
        assert fspl_db(d, 5800.0).tolist() == pytest.approx([107.71, 121.69], abs=0.005)

    def test_distance_matrix_is_haversine(self) -> None:
        a, b = Position(44.3876, -71.1731), Position(44.4687, -71.1851)
        m = distance_matrix_km(
            np.array([a.lat]), np.array([a.lon]), np.array([b.lat]), np.array([b.lon])
        )
        assert m[0, 0] == pytest.approx(haversine_km(a, b), rel=1e-12)


class TestBudget:
    def test_nanostation_m5_as_domain_says(self) -> None:
        ns = load_catalogue().model("NanoStation M5")
        assert (ns.tx_power_dbm, ns.antenna_gain_dbi, ns.sensitivity_dbm) == (27, 16, -94)
        assert ns.rates[-1][1] - ns.rates[0][1] == 19  # top MCS about 19 dB worse

    def test_rssi_formula(self) -> None:
        # RSSI = Ptx + Gtx - Ltx - FSPL + Grx - Lrx: 27 + 16 - 121.69 + 16 = -62.69 dBm.
        ns = load_catalogue().model("NanoStation M5")
        b = link_budget(ns, ns, 5.0)
        assert b.rssi_dbm == pytest.approx(-62.69, abs=0.01)
        assert b.fade_margin_db == pytest.approx(b.rssi_dbm - b.sensitivity_dbm)
        assert b.meets_target and b.fade_margin_db >= 15
        # the fastest rate that keeps 15 dB: -79 dBm needs -64 dBm, -77 would need -62.
        assert b.rate_mbps == 104

    def test_far_link_falls_back_below_target(self) -> None:
        ns = load_catalogue().model("NanoStation M5")
        b = link_budget(ns, ns, 60.0)  # FSPL 143.3 dB: RSSI -84.3 dBm, -86 still links
        assert b.links and not b.meets_target and b.rate_mbps == 52

    def test_marginal_path_costs_more(self) -> None:
        pb = load_catalogue().model("PowerBeam 5AC")
        clear, marginal = link_budget(pb, pb, 3.0), link_budget(pb, pb, 3.0, marginal=True)
        assert clear.rssi_dbm - marginal.rssi_dbm == pytest.approx(MARGINAL_LOSS_DB)

    def test_60_ghz_oxygen_absorption(self) -> None:
        w = load_catalogue().model("wAP 60G")
        assert w.frequency_mhz > 57000
        assert rssi_dbm(w, w, 1.0) - rssi_dbm(w, w, 2.0) > 6.02 + 14  # FSPL + 15 dB/km

    def test_margin_array_matches_budget(self) -> None:
        cat = load_catalogue()
        ap, cpe = cat.model("NanoStation M5"), cat.model("LiteBeam 5AC")
        got = margin_array(ap, cpe, np.array([2.0]))[0]
        assert got == pytest.approx(rssi_dbm(ap, cpe, 2.0) - cpe.sensitivity_dbm)

    def test_different_bands_cannot_link(self) -> None:
        cat = load_catalogue()
        with pytest.raises(PlanningError, match="different bands"):
            link_budget(cat.model("wAP 60G"), cat.model("NanoStation M5"), 1.0)


class TestCatalogue:
    def test_required_models_and_aliases(self) -> None:
        cat = load_catalogue()
        for name in ("NanoStation M5", "LiteBeam 5AC", "PowerBeam 5AC", "SXTsq 5", "wAP 60G"):
            m = cat.model(name)
            assert m.rates and m.price_usd > 0
        # device models as written in inventories
        assert cat.model("Ubiquiti PowerBeam 5AC 500").name == "PowerBeam 5AC"
        assert cat.model("mikrotik sxtsq 5 ac").name == "SXTsq 5"

    def test_unknown_model_is_a_clear_error(self) -> None:
        with pytest.raises(PlanningError, match=r"unknown equipment model 'Rocket M9'.*"
                           r"NanoStation M5"):
            load_catalogue().model("Rocket M9")


MODULES = [
    "topology.planning.radio",
    "topology.planning.budget",
    "topology.planning.link",
    "topology.planning.placement",
    "topology.planning.resilience",
    "topology.planning.terrain",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
