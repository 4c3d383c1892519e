"""Files from the import page's uploader, as paths on disk and within the import memory budget.

Under scripts/serve.py an upload is written to disk as it arrives (emergency.webserver) and
the uploader hands the page a short marker: :func:`source` turns the chosen files into the
path the import reads (the parts of a Shapefile side by side in one folder). Without the
hardened server (AppTest, plain ``streamlit run``) the bytes are in memory and are passed on
as :class:`emergency.ingest.Upload`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from emergency import uploads, webserver
from emergency.ingest import Upload


def _spooled(file) -> Path | None:
    return webserver.spooled_path(file.getvalue()) if file.size <= 100 else None


def sizes(files) -> list[tuple[str, int]]:
    """(name, size in bytes) of each chosen file, as it is on disk."""
    result = []
    for file in files:
        path = _spooled(file)
        result.append((file.name, path.stat().st_size if path is not None else file.size))
    return result


def over_budget(files) -> dict | None:
    """The refusal facts when importing these files would exceed the memory budget, else None."""
    return uploads.over_budget(sizes(files))


def source(files):
    """What the import reads: a path (spooled uploads) or Upload objects (bytes in memory)."""
    paths = [_spooled(file) for file in files]
    if any(path is None for path in paths):
        found = [Upload(f.name, f.getvalue()) for f in files]
        return found[0] if len(found) == 1 else found
    if len(paths) == 1:
        return paths[0]
    # The parts of one Shapefile must sit side by side under their own names: linked (not
    # copied) into a folder inside the first part's spool folder, deleted with it.
    key = hashlib.sha256("|".join(sorted(f.file_id for f in files)).encode()).hexdigest()[:16]
    folder = paths[0].parent / "set" / key
    folder.mkdir(parents=True, exist_ok=True)
    for file, path in zip(files, paths, strict=True):
        target = folder / Path(file.name).name
        if not target.exists():
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
    names = [Path(f.name).name for f in files]
    main = next((n for n in names if n.lower().endswith(".shp")), names[0])
    return folder / main
