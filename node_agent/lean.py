"""Keep the agent's libraries lean in memory.

* :func:`hide_pysmi` (called by ``node-agent run`` and ``check``): pysnmp loads its MIB
  compiler when pysmi is installed (it is, beside snmpsim, on development machines):
  about 20 MB for nothing, since the agent asks for numeric OIDs and never compiles a
  MIB. pysmi is hidden from the agent's process.
* :func:`lean_scapy` (called by the probes collector just before it imports scapy):
  scapy loads Wireshark's MAC-vendor list and a Bluetooth id list at import (about
  25 MB of dictionaries) to print vendor names; the agent prints none. Empty stand-ins
  are installed, and scapy's on-disk cache (which would hold the full lists) is skipped.

Both do nothing for a library that is already loaded.
"""

from __future__ import annotations

import sys
import types


def hide_pysmi() -> None:
    if "pysnmp" not in sys.modules:
        sys.modules.setdefault("pysmi", None)  # type: ignore[arg-type]


def lean_scapy() -> None:
    if "scapy.data" in sys.modules:
        return
    for name, empty in (("scapy.libs.manuf", ""), ("scapy.libs.bluetoothids", {})):
        stub = types.ModuleType(name)
        stub.DATA = empty  # type: ignore[attr-defined]
        sys.modules.setdefault(name, stub)
    try:
        import scapy.main
    except ImportError:
        return
    scapy.main.SCAPY_CACHE_FOLDER = None
