"""Write a NetworkModel as a YAML inventory: one file, or a directory split by zone."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from topology.model import NetworkModel

from .emitter import emit
from .export import model_to_dict, model_to_files

HEADER = "# Community network inventory (meshcommons). Format: inventories/README.md\n"
PUBLIC_HEADER = (
    "# Community network inventory (meshcommons), public export: no contacts "
    "or owners; private positions rounded.\n"
)


def dump_inventory(model: NetworkModel, *, public: bool = False) -> str:
    """The model as the text of one YAML inventory file.

    A full export (the default) includes contacts and owners: keep it private.
    ``public=True`` strips them and rounds private positions (see
    :data:`topology.inventory.export.PUBLIC_POSITION_DECIMALS`).
    """
    return emit(model_to_dict(model, public=public), PUBLIC_HEADER if public else HEADER)


def dump_inventory_files(model: NetworkModel, *, public: bool = False) -> dict[str, str]:
    """The model as several files: relative path -> YAML text (see ``model_to_files``)."""
    header = PUBLIC_HEADER if public else HEADER
    return {name: emit(doc, header) for name, doc in model_to_files(model, public=public).items()}


def write_inventory(
    model: NetworkModel, path: str | os.PathLike[str], *, public: bool = False, split: bool = False
) -> None:
    """Write the inventory to ``path``: one file, or (``split=True``) a directory holding
    ``community.yaml`` and ``zones/<zone>.yaml``.

    Files are replaced atomically. A split write refuses a directory that holds other
    YAML files, since loading the directory would merge them in.
    """
    target = Path(path)
    if not split:
        _write_atomic(target, dump_inventory(model, public=public))
        return
    files = dump_inventory_files(model, public=public)
    if target.exists():
        stale = sorted(
            str(f.relative_to(target))
            for f in target.rglob("*")
            if f.suffix in (".yaml", ".yml")
            and f.is_file()
            and str(f.relative_to(target).as_posix()) not in files
        )
        if stale:
            raise FileExistsError(
                f"{target} holds other YAML files that a load would merge in: " + ", ".join(stale)
            )
    for name, text in files.items():
        _write_atomic(target / name, text)


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
