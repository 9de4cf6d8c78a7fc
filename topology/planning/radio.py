"""Radio formulas of ``DOMAIN.md`` section 6, on floats or numpy arrays alike.

* free-space path loss: ``FSPL = 32.44 + 20 log10(d_km) + 20 log10(f_MHz)``;
* first Fresnel zone radius: ``r1 = 17.32 sqrt(d1 d2 / (f_GHz D))`` (km in, m out);
* earth bulge: ``h = d1 d2 / (12.74 k)`` (km in, m out), k = 4/3 by default.

>>> round(float(fspl_db(5.0, 5800.0)), 2)
121.69
>>> round(float(fresnel_radius_m(2.5, 2.5, 5.8)), 2)
8.04
>>> round(float(earth_bulge_m(5.0, 5.0)), 2)
1.47
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

K_FACTOR = 4.0 / 3.0  # standard atmosphere: radio sees a bigger Earth than light
FRESNEL_CLEAR = 0.6  # fraction of the first Fresnel zone that must be free
FADE_MARGIN_DB = 15.0  # planning target for a reliable link

Num = TypeVar("Num", float, npt.NDArray[np.float64])


def fspl_db(d_km: Num, f_mhz: float) -> Num:
    """Free-space path loss in dB over ``d_km`` km at ``f_mhz`` MHz."""
    return 32.44 + 20.0 * np.log10(d_km) + 20.0 * np.log10(f_mhz)  # type: ignore[no-any-return]


def fresnel_radius_m(d1_km: Num, d2_km: Num, f_ghz: float) -> Num:
    """Radius of the first Fresnel zone, in m, ``d1_km`` and ``d2_km`` from the ends."""
    total = d1_km + d2_km
    return 17.32 * np.sqrt(d1_km * d2_km / (f_ghz * total))  # type: ignore[no-any-return]


def earth_bulge_m(d1_km: Num, d2_km: Num, k: float = K_FACTOR) -> Num:
    """Height of the Earth's bulge above the chord, in m, with refraction factor ``k``."""
    return d1_km * d2_km / (12.74 * k)
