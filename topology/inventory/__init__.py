"""YAML inventories of a community network: load, validate, dump.

An inventory is one YAML file or a directory of YAML files (merged); the format is
described in ``inventories/README.md``. Loading returns a
:class:`~topology.model.NetworkModel` or raises one :class:`InventoryError` that lists
every problem with file, line, column and field path.
"""

from __future__ import annotations

from .convert import build_model
from .dumper import dump_inventory, dump_inventory_files, write_inventory
from .errors import MAX_ISSUES, InventoryError, InventoryIssue
from .export import PUBLIC_POSITION_DECIMALS, model_to_dict, model_to_files, public_node
from .ids import Problem
from .loader import MAX_FILE_BYTES, load_inventory, loads_inventory
from .schema import FORMAT_VERSION, InventoryFile

__all__ = [
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "MAX_ISSUES",
    "PUBLIC_POSITION_DECIMALS",
    "InventoryError",
    "InventoryFile",
    "InventoryIssue",
    "Problem",
    "build_model",
    "dump_inventory",
    "dump_inventory_files",
    "load_inventory",
    "loads_inventory",
    "model_to_dict",
    "model_to_files",
    "public_node",
    "write_inventory",
]
