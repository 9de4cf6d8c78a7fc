"""Link budgets: ``RSSI = Ptx + Gtx - Ltx - FSPL + Grx - Lrx`` (DOMAIN.md section 6).

The fade margin is ``RSSI - sensitivity`` of the rate in use. The expected rate is the
fastest one that keeps the planning margin (15 dB by default); when none does, the
fastest one that links at all, flagged as below target. A path that is only
``marginal`` (line of sight free, Fresnel zone not) loses
:data:`MARGINAL_LOSS_DB` more: a simple knife-edge allowance.

>>> from topology.planning.catalogue import load_catalogue
>>> ns = load_catalogue().model("NanoStation M5")
>>> b = link_budget(ns, ns, 5.0)
>>> round(b.fspl_db, 2), round(b.rssi_dbm, 2), b.rate_mbps, b.meets_target
(121.69, -62.69, 104.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from topology.planning.catalogue import Equipment
from topology.planning.errors import PlanningError
from topology.planning.radio import FADE_MARGIN_DB, fspl_db

MARGINAL_LOSS_DB = 6.0  # a grazing obstacle costs about 6 dB (knife edge at ratio 0)
BAND_TOLERANCE_MHZ = 1000.0


@dataclass(frozen=True, slots=True)
class LinkBudget:
    tx: str
    rx: str
    distance_km: float
    frequency_mhz: float
    fspl_db: float
    extra_loss_db: float  # atmospheric (60 GHz) and obstruction allowance
    rssi_dbm: float
    sensitivity_dbm: float  # of the expected rate (of the lowest when none links)
    fade_margin_db: float
    rate_mbps: float  # 0: no link
    target_margin_db: float

    @property
    def meets_target(self) -> bool:
        return self.fade_margin_db >= self.target_margin_db

    @property
    def links(self) -> bool:
        return self.rate_mbps > 0


def check_band(tx: Equipment, rx: Equipment) -> float:
    """The link's frequency; two models on different bands cannot link."""
    if abs(tx.frequency_mhz - rx.frequency_mhz) > BAND_TOLERANCE_MHZ:
        raise PlanningError(
            f"{tx.name} ({tx.frequency_mhz:g} MHz) and {rx.name} ({rx.frequency_mhz:g} MHz) "
            "are on different bands and cannot link"
        )
    return tx.frequency_mhz


def rssi_dbm(
    tx: Equipment, rx: Equipment, distance_km: float, *, extra_loss_db: float = 0.0
) -> float:
    f = check_band(tx, rx)
    loss = fspl_db(max(distance_km, 1e-3), f) + extra_loss_db + tx.loss_db_per_km * distance_km
    return float(
        tx.tx_power_dbm + tx.antenna_gain_dbi - tx.cable_loss_db
        - loss + rx.antenna_gain_dbi - rx.cable_loss_db
    )


def link_budget(
    tx: Equipment,
    rx: Equipment,
    distance_km: float,
    *,
    marginal: bool = False,
    target_margin_db: float = FADE_MARGIN_DB,
) -> LinkBudget:
    """The budget of ``tx`` -> ``rx`` over ``distance_km`` (``marginal``: Fresnel cut)."""
    f = check_band(tx, rx)
    extra = (MARGINAL_LOSS_DB if marginal else 0.0) + tx.loss_db_per_km * distance_km
    rssi = rssi_dbm(tx, rx, distance_km, extra_loss_db=MARGINAL_LOSS_DB if marginal else 0.0)
    keeps = [(r, s) for r, s in rx.rates if rssi - s >= target_margin_db]
    links = [(r, s) for r, s in rx.rates if rssi >= s]
    rate, sens = (keeps or links or [(0.0, rx.sensitivity_dbm)])[-1]
    return LinkBudget(
        tx=tx.name,
        rx=rx.name,
        distance_km=distance_km,
        frequency_mhz=f,
        fspl_db=float(fspl_db(max(distance_km, 1e-3), f)),
        extra_loss_db=extra,
        rssi_dbm=rssi,
        sensitivity_dbm=sens,
        fade_margin_db=rssi - sens,
        rate_mbps=rate,
        target_margin_db=target_margin_db,
    )


def margin_array(
    tx: Equipment, rx: Equipment, distance_km: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Fade margin at the lowest rate over many distances (coverage's fast path)."""
    f = check_band(tx, rx)
    d = np.maximum(distance_km, 1e-3)
    gain = (
        tx.tx_power_dbm + tx.antenna_gain_dbi - tx.cable_loss_db
        + rx.antenna_gain_dbi - rx.cable_loss_db
    )
    return np.asarray(
        gain - fspl_db(d, f) - tx.loss_db_per_km * d - rx.sensitivity_dbm, dtype=float
    )
