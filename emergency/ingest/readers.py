"""File readers, one per format in a registry keyed by extension; all hand the engine a Table of text columns."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import math
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from emergency.ingest.errors import IngestError

__all__ = ["READERS", "Preview", "Table", "Upload", "detect_encoding", "open_table", "preview"]

# Bytes looked at to detect the encoding and the delimiter of a text file.
SAMPLE_BYTES = 256 * 1024
# Chunk size for transcoding a non-UTF-8 text file to the UTF-8 DuckDB reads.
TRANSCODE_CHUNK = 16 * 2**20
# Delimiters a department CSV may use; the most frequent one in the header line wins.
DELIMITERS = (",", "\t", ";", "|")
# Encodings DuckDB's CSV reader takes as they are (it skips a UTF-8 byte-order mark itself).
UTF8_NAMES = {"utf-8", "utf8", "utf-8-sig", "ascii"}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")
# Rows of a sheet searched for the header row.
HEADER_SEARCH_ROWS = 10
# DuckDB read_csv options a retry may switch off (identifiers of this program, never file text).
CSV_LENIENT_OPTIONS = ("parallel", "strict_mode")
# Python's csv module reads header fields up to this size (its default is 128 KB).
csv.field_size_limit(max(csv.field_size_limit(), 2 * 2**20))
# Columns a file may have (checked on the header, before any data is expanded).
MAX_COLUMNS = 2000
# Longest line of a text file; the header must fit in the first SAMPLE_BYTES.
MAX_LINE_BYTES = 4 * 2**20
# Largest size a file may expand to (a zip's members, a workbook's parts), and the largest
# expansion ratio of a compressed member: beyond them it is a decompression bomb, not a report.
MAX_EXPANDED_BYTES = 2 * 2**30
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 2000
# Compression methods read: stored, deflate, bzip2, lzma (Deflate64 and others are not).
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
# Encodings a guess is trusted for without asking (the Chinese family GB18030 covers).
CHINESE_ENCODINGS = {"gb18030", "gbk", "gb2312", "hz", "cp936"}
# UTF-16/32 byte-order marks: such a file holds NUL bytes and is still text.
UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Upload:
    """A file handed over in memory (from the import page): its name and bytes."""

    name: str
    data: bytes


@dataclass
class Table:
    """A file read as text columns ``c0..cN`` (header names kept apart), ready for the engine.

    Tabular rows are numbered as in a spreadsheet (header = row 1); GIS features from 1.
    Small files come as ``frame`` (with ``_row`` and, for GIS files, ``_geometry``);
    CSV files stay on disk as UTF-8 (``csv_path``) for DuckDB to scan in parallel.
    """

    file_name: str
    format: str
    headers: list[str]
    sha256: str
    frame: pd.DataFrame | None = None
    csv_path: Path | None = None
    delimiter: str = ","
    encoding: str | None = None
    crs: str | None = None
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    # Lenient scan options a retry switched on: quoted line breaks need the serial scanner,
    # mixed CRLF/LF line ends need strict_mode off.
    csv_lenient: tuple[str, ...] = ()
    sheets_read: list[tuple[str, int]] = field(default_factory=list)  # (sheet, data rows) read into this table
    sheets_skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason code) left out

    @property
    def has_geometry(self) -> bool:
        """Tell whether the table carries geometries (read from a GIS file)."""
        return self.frame is not None and "_geometry" in self.frame.columns

    @property
    def columns(self) -> list[str]:
        """Positional column names, the only identifiers the engine puts into SQL."""
        return [f"c{i}" for i in range(len(self.headers))]

    def csv_scan(self) -> tuple[str, list]:
        """Build the SQL of a DuckDB scan of the CSV as text columns, and its parameters.

        Fewer fields than headers (a truncated last line) are padded with NULL so the row
        is rejected with a reason instead of failing the file.
        """
        columns = {name: "VARCHAR" for name in self.columns}
        sql = (
            "read_csv(?, header = true, auto_detect = false, delim = ?, quote = '\"', escape = '\"', "
            "null_padding = true, columns = ?, max_line_size = ?"
            + "".join(f", {option} = false" for option in self.csv_lenient if option in CSV_LENIENT_OPTIONS)
            + ")"
        )
        return sql, [str(self.csv_path), self.delimiter, columns, MAX_LINE_BYTES]

    def head(self, n: int = 20) -> pd.DataFrame:
        """First ``n`` data rows with the file's own headers, for the preview."""
        if self.frame is not None:
            shown = self.frame.head(n)[self.columns]
        else:
            scan, params = self.csv_scan()
            with duckdb.connect() as conn:
                shown = conn.execute(f"SELECT * FROM {scan} LIMIT ?", [*params, n]).df()
        shown = shown.astype(object).where(shown.notna(), "")  # a blank cell shows blank, never "None"
        shown.columns = _unique_headers(self.headers)
        return shown


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name.lower()):
        with path.open("rb") as handle:
            while chunk := handle.read(TRANSCODE_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def detect_encoding(sample: bytes, file_name: str = "") -> str:
    """Guess the text encoding of ``sample``: UTF-8 (with or without BOM), else GB18030, else charset-normalizer.

    GB18030 is a superset of GBK and GB2312, so it reads every file those produce.

    Parameters
    ----------
    sample : bytes
        The start of the file (may end in the middle of a character).
    file_name : str
        For the error message.

    Returns
    -------
    str
        A Python codec name.

    Raises
    ------
    IngestError
        If no encoding fits (``reason="encoding"``).

    Examples
    --------
    >>> detect_encoding("雨量".encode("gbk"))
    'gb18030'
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for candidate in ("utf-8", "gb18030"):
        try:
            sample.decode(candidate)
            return candidate
        except UnicodeDecodeError as error:
            # A sample cut inside a multi-byte character fails only in its last bytes.
            if error.start >= len(sample) - 4 and len(sample) >= SAMPLE_BYTES:
                return candidate
    import charset_normalizer  # only for the rare file neither UTF-8 nor GB18030 reads

    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise IngestError(file_name, "encoding")
    return best.encoding


def guess_encoding(sample: bytes, file_name: str = "") -> tuple[str, bool]:
    """Guess the encoding of ``sample`` and whether the guess is sure enough to use unasked.

    UTF-8 (and a byte-order mark) are sure. A sample GB18030 reads is sure when a statistical
    detector (charset-normalizer) also finds Chinese in it; Shift-JIS, for instance, also reads
    as GB18030 but as nonsense, so the detector's own answer is then offered as an unsure guess.
    Anything else is an unsure guess.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if sample.startswith(bom):
            return name, True
    first = detect_encoding(sample, file_name)
    if first in ("utf-8", "utf-8-sig"):
        return first, True
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(sample))
    names = [m.encoding for m in matches]
    if first == "gb18030":
        if not names or names[0] in CHINESE_ENCODINGS or (set(names[:3]) & CHINESE_ENCODINGS):
            return "gb18030", True
        return names[0], False
    return first, False


def _text_codec(chosen: str, file_name: str) -> str:
    """Return the codec name of a user-given or guessed encoding; only text encodings are accepted."""
    try:
        info = codecs.lookup(chosen)
    except (LookupError, ValueError, TypeError) as error:
        raise IngestError(file_name, "unknown_encoding", detail=str(chosen)[:60]) from error
    if not getattr(info, "_is_text_encoding", True):
        raise IngestError(file_name, "unknown_encoding", detail=str(chosen)[:60])
    return info.name


def _transcode(source: Path, target: Path, encoding: str, file_name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(TRANSCODE_CHUNK):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                raise IngestError(file_name, "decode", detail=f"{encoding}, byte {offset + error.start}") from error
            offset += len(chunk)
        try:
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as error:
            raise IngestError(file_name, "truncated", detail=f"{encoding}, byte {offset}") from error


def _read_csv(path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None) -> Table:  # noqa: C901 - each early exit is one refusal reason (empty, binary, encoding, width) in order
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    wide = sample.startswith(UTF16_BOMS) or (
        encoding is not None and _text_codec(encoding, file_name).startswith(("utf-16", "utf-32"))
    )
    if not wide and not sample.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise IngestError(file_name, "empty")
    if b"\x00" in sample and not wide:
        if encoding is None:
            # UTF-16 without a byte-order mark: offered as a guess to confirm, never read unasked.
            for candidate in ("utf-16-le", "utf-16-be"):
                try:
                    decoded = sample[: len(sample) // 2 * 2].decode(candidate)
                except UnicodeDecodeError:
                    continue
                if "\x00" not in decoded and ("\n" in decoded or any(d in decoded for d in DELIMITERS)):
                    raise IngestError(file_name, "encoding_guess", detail=candidate)
        raise IngestError(file_name, "binary")
    if encoding is not None:
        chosen = encoding
    else:
        chosen, sure = guess_encoding(sample, file_name)
        if not sure:
            raise IngestError(file_name, "encoding_guess", detail=chosen)
    codec = _text_codec(chosen, file_name)
    if codec in UTF8_NAMES or chosen.lower() in UTF8_NAMES:
        csv_path = path
        text = sample.decode("utf-8-sig", errors="replace")
    else:
        csv_path = work / "transcoded-utf8.csv"
        _transcode(path, csv_path, codec, file_name)
        text = sample.decode(codec, errors="replace")
    if not text.strip("\ufeff \t\r\n"):
        raise IngestError(file_name, "empty")
    lines = text.lstrip("\ufeff").splitlines()
    header_line = lines[0] if lines else ""
    if len(lines) <= 1 and len(sample) >= SAMPLE_BYTES:
        # No line end in the first 256 KB: the header alone is longer than any report's.
        raise IngestError(file_name, "line_too_long", detail=f"> {SAMPLE_BYTES:,} bytes")
    delimiter = max(DELIMITERS, key=header_line.count)
    if header_line.count(delimiter) + 1 > MAX_COLUMNS:
        raise IngestError(
            file_name, "too_many_columns", detail=f"{header_line.count(delimiter) + 1:,} > {MAX_COLUMNS:,}"
        )
    try:
        headers = next(csv.reader([header_line], delimiter=delimiter))
    except (csv.Error, StopIteration) as error:
        raise IngestError(file_name, "malformed", row=1, detail=str(error)) from error
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise IngestError(file_name, "no_header")
    return Table(
        file_name=file_name,
        format="csv",
        headers=headers,
        sha256=_sha256([path]),
        csv_path=csv_path,
        delimiter=delimiter,
        encoding=codec,
    )


def _cell_text(value) -> str | None:
    """Excel cell -> text the engine parses: integral floats lose '.0', dates become ISO."""
    if value is None or value is pd.NaT or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip() or None


def _frame(headers: list[str], rows: list[list], first_row: int) -> pd.DataFrame:
    columns = [f"c{i}" for i in range(len(headers))]
    frame = pd.DataFrame(
        [(list(r) + [None] * len(headers))[: len(headers)] for r in rows], columns=columns, dtype=object
    )
    frame.insert(0, "_row", range(first_row, first_row + len(frame)))
    return frame


def _sheet_cells(book, name: str, kind: str | None = None) -> tuple[list[str], list[list], int] | None:
    """Find a sheet's header and data rows; None for an empty sheet.

    Government workbooks often open with a merged title row (and a blank one) above the header,
    and group columns under a merged cell with their own names in the row below (人员伤亡 over
    死亡 | 受伤). The header is the first row whose names the kind's automatic mapping finds the
    most fields in (a data row can be fuller than a header that leaves a column unnamed), else
    the fullest, the earliest on a tie; the row below it joins it as sub-headers when it is all
    text and names more of the kind's fields in the header's blank or grouped columns.
    """
    data = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    cells = [[_cell_text(v) for v in row] for row in data]
    filled = [sum(v is not None for v in row) for row in cells[:HEADER_SEARCH_ROWS]]
    if not any(filled):
        return None
    scores = [_fields_found(kind, row) for row in cells[:HEADER_SEARCH_ROWS]]
    ranks = list(zip(scores, filled, strict=True))
    header_index = ranks.index(max(ranks))
    header_row = list(cells[header_index])
    body_start = header_index + 1
    below = cells[body_start] if body_start < len(cells) else []
    if kind is not None and any(v is not None for v in below) and all(_is_label(v) for v in below if v is not None):
        width = max(len(header_row), len(below))
        joined = [
            (below[i] if i < len(below) and below[i] is not None else (header_row[i] if i < len(header_row) else None))
            for i in range(width)
        ]
        if _fields_found(kind, joined) > scores[header_index]:
            header_row, body_start = joined, body_start + 1
    headers = [h or f"#{i + 1}" for i, h in enumerate(header_row)]
    while headers and headers[-1].startswith("#"):
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise IngestError("", "too_many_columns", detail=f"{name}: {len(headers):,} > {MAX_COLUMNS:,}")
    return headers, cells[body_start:], body_start + 1


def _is_label(text: str) -> bool:
    """Tell whether a cell's text reads as a column name: not a number or a date/time."""
    try:
        float(text.replace(",", ""))
    except ValueError:
        return not re.match(r"^\d{4}[-/.年]\d{1,2}", text)
    return False


def _fields_found(kind_name: str | None, row: list) -> int:
    """Count the fields of the kind that the automatic mapping finds in a row read as a header."""
    if kind_name is None:
        return 0
    from emergency.ingest.kinds import KINDS, suggest_mapping  # kinds imports no reader

    kind = KINDS.get(kind_name)
    names = [v for v in row if v is not None]
    if kind is None or not names:
        return 0
    return sum(header is not None for header in suggest_mapping(kind, names).values())


def _matches(kind_name: str | None, headers: list[str]) -> bool:
    """Tell whether the automatic mapping finds every required field of the kind in ``headers``."""
    if kind_name is None:
        return True
    from emergency.ingest.kinds import KINDS, suggest_mapping  # kinds imports no reader

    kind = KINDS.get(kind_name)
    if kind is None:
        return True
    mapping = suggest_mapping(kind, headers)
    return all(mapping[f.name] is not None for f in kind.fields if f.required)


def _read_excel(  # noqa: C901 - sheet selection and the union of headers belong to one reading pass
    path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None, kind: str | None = None
) -> Table:
    """Every sheet whose header fits ``kind`` (or the one named ``sheet``), as one table.

    Sheets left out are listed with why (empty, header not of this kind). Rows keep their sheet
    and spreadsheet row for the report.
    """
    from python_calamine import CalamineWorkbook  # heavy-ish import kept to Excel files

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = tuple(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise IngestError(file_name, "no_sheet", detail=f"{sheet} ∉ {', '.join(names)}")
        read: list[tuple[str, list[str], list[list], int]] = []
        skipped: list[tuple[str, str]] = []
        first_filled = None
        for name in [sheet] if sheet is not None else names:
            found = _sheet_cells(book, name, kind)
            if found is None:
                skipped.append((name, "empty"))
                continue
            headers, body, first_row = found
            if first_filled is None:
                first_filled = (name, headers, body, first_row)
            if sheet is None and not _matches(kind, headers):
                skipped.append((name, "header_mismatch"))
                continue
            read.append((name, headers, body, first_row))
    except IngestError as error:
        if not error.file_name:
            raise IngestError(file_name, error.reason, detail=error.detail) from error
        raise
    except Exception as error:  # calamine raises its own types for every broken workbook
        raise IngestError(file_name, "unreadable", detail=str(error)) from error
    if not read:
        if first_filled is None:
            raise IngestError(file_name, "empty", detail=", ".join(names))
        # No sheet fits: the first one with data is read, so the engine names what it lacks.
        read = [first_filled]
        skipped = [s for s in skipped if s[0] != first_filled[0]]
    # One header list for all sheets read: the first sheet's, then headers only later ones have.
    union: list[str] = []
    for _, headers, _, _ in read:
        union += [h for h in headers if h not in union]
    frames = []
    for name, headers, body, first_row in read:
        index = [union.index(h) for h in headers]
        rows = []
        for row in body:
            full = [None] * len(union)
            # A row runs past its header when trailing columns without a header were dropped: those cells are left out.
            for position, value in zip(index, row, strict=False):
                full[position] = value
            rows.append(full)
        frame = _frame(union, rows, first_row=first_row)
        frame = frame[frame.drop(columns="_row").notna().any(axis=1)]
        frame.insert(1, "_sheet", name)
        frame.insert(2, "_sheet_row", frame["_row"])
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    if len(read) > 1:
        frame["_row"] = range(1, len(frame) + 1)  # unique over the sheets; _sheet_row is what users see
    return Table(
        file_name=file_name,
        format="xlsx",
        headers=union,
        sha256=_sha256([path]),
        frame=frame,
        sheets=names,
        sheet=read[0][0] if len(read) == 1 else None,
        sheets_read=[(name, int((frame["_sheet"] == name).sum())) for name, *_ in read],
        sheets_skipped=skipped,
    )


def _dbf_encoding(dbf: Path, file_name: str) -> str:
    """Guess the encoding of a .dbf without .cpg, from its header names and records."""
    raw = dbf.read_bytes()
    header_length = int.from_bytes(raw[8:10], "little") if len(raw) >= 10 else len(raw)
    names = b"".join(raw[i : i + 11].split(b"\x00")[0] for i in range(32, max(32, header_length - 1), 32))
    return detect_encoding(names + b" " + raw[header_length:], file_name)


def _gis_table(
    path: Path, file_name: str, fmt: str, encoding: str | None, layer: str | None, hashed: list[Path]
) -> Table:
    from emergency import geo  # the one GIS file reader (pyogrio loads only for GIS files)

    try:
        layers = geo.boundary_layers(path)
        if layer is not None and layer not in layers:
            raise IngestError(file_name, "no_sheet", detail=f"{layer} ∉ {', '.join(layers)}")
        chosen = layer if layer is not None else (layers[0] if layers else None)
        gdf = geo.read_boundary_file(path, layer=chosen, encoding=encoding)
    except IngestError:
        raise
    except Exception as error:  # pyogrio/GDAL errors: broken JSON, bad geometry blobs, missing parts
        raise IngestError(file_name, "unreadable", detail=str(error).splitlines()[0][:300]) from error
    if gdf.empty:  # no features: no columns either, which is no reason to name
        raise IngestError(file_name, "empty")
    headers = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    crs = None
    if gdf.crs is not None:
        epsg = gdf.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else gdf.crs.to_wkt()
    rows = [[_cell_text(v) for v in row] for row in gdf[headers].itertuples(index=False, name=None)]
    frame = _frame(headers, rows, first_row=1)
    frame["_geometry"] = gdf.geometry.to_numpy()
    return Table(
        file_name=file_name,
        format=fmt,
        headers=headers,
        sha256=_sha256(hashed),
        frame=frame,
        crs=crs,
        encoding=encoding,
        sheets=layers,
        sheet=chosen,
    )


def _read_geojson(path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None) -> Table:
    if path.stat().st_size == 0:
        raise IngestError(file_name, "empty")
    return _gis_table(path, file_name, "geojson", encoding, sheet, [path])


def _read_geopackage(path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None) -> Table:
    if path.stat().st_size == 0:
        raise IngestError(file_name, "empty")
    return _gis_table(path, file_name, "gpkg", encoding, sheet, [path])


def _shapefile_siblings(shp: Path) -> dict[str, Path]:
    return {p.suffix.lower(): p for p in shp.parent.iterdir() if p.stem == shp.stem}


def _read_shapefile(path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None) -> Table:
    parts = _shapefile_siblings(path)
    for suffix in SHAPEFILE_PARTS:
        if suffix not in parts:
            raise IngestError(file_name, "shapefile_part", detail=f"{path.stem}{suffix}")
    if encoding is None and ".cpg" not in parts:
        encoding = _dbf_encoding(parts[".dbf"], file_name)
    hashed = list(parts.values())
    whole = _whole_character_names(parts, encoding, work)
    if whole is not None:
        path = whole
    table = _gis_table(path, file_name, "shapefile", encoding, None, hashed)
    if ".prj" not in parts:
        table.notes.append("no_prj")
    return table


def _whole_character_names(parts: dict[str, Path], encoding: str | None, work: Path) -> Path | None:
    """Copy a UTF-8 Shapefile whose .dbf field names are cut inside a character, names trimmed; None if none is.

    A .dbf field name holds 10 bytes: GDAL, QGIS and ArcGIS Pro cut a UTF-8 name there, inside
    a 3-byte character (乡镇代码 -> 乡镇代 and a byte of 码), which the reader cannot decode. The
    copy (in ``work``) ends each such name at its last whole character; returns the copy's .shp.
    """
    codec = encoding
    if codec is None and ".cpg" in parts:
        codec = parts[".cpg"].read_text(encoding="ascii", errors="replace").strip()
    if (codec or "").lower().replace("-", "").replace("_", "") not in ("utf8", "65001"):
        return None
    with parts[".dbf"].open("rb") as dbf:
        head = bytearray(dbf.read(32))
        if len(head) < 32:
            return None
        header_length = int.from_bytes(head[8:10], "little")
        head += dbf.read(max(0, header_length - 32))
    if not _trim_cut_names(head):
        return None
    folder = work / "whole-names"
    folder.mkdir(exist_ok=True)
    stem = parts[".shp"].stem
    for suffix, part in parts.items():
        target = folder / f"{stem}{suffix}"
        if suffix == ".dbf":
            with part.open("rb") as source, target.open("wb") as copy:
                source.seek(len(head))
                copy.write(head)
                shutil.copyfileobj(source, copy)
        else:
            shutil.copyfile(part, target)
    return folder / f"{stem}.shp"


def _trim_cut_names(head: bytearray) -> bool:
    """End each UTF-8 field name of a .dbf header cut inside a character at its last whole one; tell if any was.

    False also when a name is not UTF-8 at all (the reader then says what it says).
    """
    cut = False
    for offset in range(32, len(head) - 31, 32):
        if head[offset] == 0x0D:  # end of the field descriptors
            break
        name = bytes(head[offset : offset + 11]).split(b"\x00")[0]
        try:
            name.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.end != len(name) or error.reason != "unexpected end of data":
                return False
            head[offset : offset + 11] = name[: error.start].ljust(11, b"\x00")
            cut = True
    return cut


def _safe_member(member: zipfile.ZipInfo) -> str | None:
    """Why a zip entry is refused (None when it is a plain file with a safe name)."""
    name = member.filename.replace("\\", "/")
    parts = [p for p in name.split("/") if p]
    if name.startswith("/") or any(p == ".." for p in parts) or (parts and ":" in parts[0]):
        return f"{member.filename}: unsafe name"
    if member.flag_bits & 0x1:
        return f"{member.filename}: encrypted"
    if member.compress_type not in ZIP_METHODS:
        return f"{member.filename}: compression method {member.compress_type}"
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return f"{member.filename}: not a regular file"
    return None


def _check_archive(path: Path, file_name: str) -> None:
    """Refuse a zip (or a workbook, also a zip) that would expand past the limits, before expanding it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader reports it
    if len(members) > MAX_ZIP_MEMBERS:
        raise IngestError(file_name, "too_large", detail=f"{len(members):,} entries > {MAX_ZIP_MEMBERS:,}")
    expanded = sum(m.file_size for m in members)
    if expanded > MAX_EXPANDED_BYTES:
        raise IngestError(file_name, "too_large", detail=f"{expanded:,} bytes > {MAX_EXPANDED_BYTES:,}")
    for m in members:
        if m.compress_size and m.file_size > 2**20 and m.file_size / m.compress_size > MAX_ZIP_RATIO:
            raise IngestError(
                file_name, "too_large", detail=f"{m.filename}: ratio {m.file_size / m.compress_size:,.0f}:1"
            )


def _extract(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, file_name: str, budget: list[int]
) -> None:
    """Copy one member out in chunks, stopping when it outgrows what its header declared or the budget."""
    written = 0
    with archive.open(member) as src, target.open("wb") as dst:
        while chunk := src.read(2**20):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > member.file_size or budget[0] < 0:
                raise IngestError(file_name, "too_large", detail=f"{member.filename}: expands past its declared size")
            dst.write(chunk)


def _read_zip(  # noqa: C901 - each branch is one archive refusal reason or one member format, in order
    path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None, kind: str | None = None
) -> Table:
    _check_archive(path, file_name)
    target = work / "unzipped"
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
            for member in members:
                problem = _safe_member(member)
                if problem:
                    raise IngestError(file_name, "unsafe_zip", detail=problem)
            budget = [MAX_EXPANDED_BYTES]
            for member in members:
                # Flatten: only the base name is used, so no member can write outside ``target``.
                name = Path(member.filename.replace("\\", "/")).name
                if name and name not in (".", ".."):
                    target.mkdir(exist_ok=True)
                    _extract(archive, member, target / name, file_name, budget)
    except IngestError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
    ) as error:
        # zlib/bz2/lzma and CRC errors: a damaged or unsupported archive, said in the user's words.
        raise IngestError(file_name, "unreadable", detail=f"{type(error).__name__}: {str(error)[:200]}") from error
    except Exception as error:  # decompressor errors (zlib.error, lzma.LZMAError...) have no common base
        raise IngestError(file_name, "unreadable", detail=f"{type(error).__name__}: {str(error)[:200]}") from error
    shapefiles = sorted(target.glob("*.[sS][hH][pP]")) if target.exists() else []
    for other in ("*.gpkg", "*.geojson", "*.csv", "*.xlsx"):
        if not shapefiles and target.exists():
            found = sorted(target.glob(other))
            if found:
                return _dispatch(found[0], file_name, work, encoding, sheet, kind)
    if not shapefiles:
        raise IngestError(file_name, "shapefile_part", detail=".shp")
    chosen = next((s for s in shapefiles if s.stem == sheet), shapefiles[0])
    table = _read_shapefile(chosen, file_name, work, encoding, None)
    table.sheets = tuple(s.stem for s in shapefiles)
    table.sheet = chosen.stem
    table.sha256 = _sha256([path])
    return table


Reader = Callable[[Path, str, Path, str | None, str | None], Table]

# Extension -> reader. A reader takes (path, name shown to the user, scratch folder that is
# deleted afterwards, encoding or None, sheet/layer or None) and returns a Table.
READERS: dict[str, Reader] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_excel,
    ".xlsm": _read_excel,
    ".xls": _read_excel,
    ".ods": _read_excel,
    ".geojson": _read_geojson,
    ".json": _read_geojson,
    ".gpkg": _read_geopackage,
    ".shp": _read_shapefile,
    ".zip": _read_zip,
}


def _dispatch(
    path: Path, file_name: str, work: Path, encoding: str | None, sheet: str | None, kind: str | None = None
) -> Table:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise IngestError(file_name, "format", detail=f"{path.suffix or '?'} ∉ {' '.join(READERS)}")
    if not path.exists():
        raise IngestError(file_name, "missing_file")
    if reader is _read_excel:
        _check_archive(path, file_name)  # xlsx/ods are zips: refuse a bomb before calamine expands it
        return _read_excel(path, file_name, work, encoding, sheet, kind)
    if reader is _read_zip:
        return _read_zip(path, file_name, work, encoding, sheet, kind)
    return reader(path, file_name, work, encoding, sheet)


@contextmanager
def open_table(
    source: str | os.PathLike | Upload | list[Upload],
    encoding: str | None = None,
    sheet: str | None = None,
    kind: str | None = None,
) -> Iterator[Table]:
    """Read a file (path, in-memory upload, or the parts of one Shapefile) as a :class:`Table`.

    Every temporary file (uploads written out, unzipped parts, transcoded CSV) lives in a
    scratch folder that is deleted when the ``with`` block ends, whatever happens.

    Parameters
    ----------
    source : path, Upload or list of Upload
        A list is the set of files of one Shapefile (``.shp``, ``.shx``, ``.dbf``, ...).
    encoding : str, optional
        Text encoding of a CSV or of a Shapefile's .dbf; detected when omitted.
    sheet : str, optional
        Excel sheet, GeoPackage layer or Shapefile inside a zip; for a workbook every sheet
        whose header fits ``kind`` when omitted, else the first.
    kind : str, optional
        What the file holds, to choose a workbook's sheets.

    Yields
    ------
    Table

    Raises
    ------
    IngestError
        For an unknown format, an empty, binary or unreadable file, or a missing part.
    """
    with tempfile.TemporaryDirectory(prefix="yitu-import-") as scratch:
        work = Path(scratch)
        if isinstance(source, Upload):
            source = [source]
        if isinstance(source, list):
            uploads = work / "upload"
            uploads.mkdir()
            for upload in source:
                (uploads / Path(upload.name).name).write_bytes(upload.data)
            names = [Path(u.name).name for u in source]
            main = next((n for n in names if n.lower().endswith(".shp")), names[0])
            file_name = main
            path = uploads / main
        else:
            path = Path(source)
            file_name = path.name
            try:
                # stat does not open: a FIFO cannot hang the import (and the store's write lock).
                mode = os.stat(path).st_mode
            except FileNotFoundError as error:
                raise IngestError(file_name, "missing_file") from error
            except OSError as error:
                raise IngestError(
                    file_name, "unreadable", detail=f"{type(error).__name__}: {error.strerror}"
                ) from error
            if not stat.S_ISREG(mode):
                raise IngestError(file_name, "not_a_file")
        yield _dispatch(path, file_name, work, encoding, sheet, kind)


@dataclass(frozen=True)
class Preview:
    """What the import page shows before any check: the file's facts and its first rows."""

    file_name: str
    format: str
    headers: tuple[str, ...]
    rows: pd.DataFrame
    sheets: tuple[str, ...]
    sheet: str | None
    encoding: str | None
    crs: str | None
    sha256: str
    has_geometry: bool
    sheets_read: tuple[tuple[str, int], ...] = ()
    sheets_skipped: tuple[tuple[str, str], ...] = ()


def preview(
    source, encoding: str | None = None, sheet: str | None = None, n: int = 20, kind: str | None = None
) -> Preview:
    """Read a file's headers and first ``n`` rows (see :func:`open_table` for the arguments).

    Raises
    ------
    IngestError
        When the file cannot be read at all.
    """
    with open_table(source, encoding=encoding, sheet=sheet, kind=kind) as table:
        return Preview(
            file_name=table.file_name,
            format=table.format,
            headers=tuple(table.headers),
            rows=table.head(n),
            sheets=table.sheets,
            sheet=table.sheet,
            encoding=table.encoding,
            crs=table.crs,
            sha256=table.sha256,
            has_geometry=table.has_geometry,
            sheets_read=tuple(table.sheets_read),
            sheets_skipped=tuple(table.sheets_skipped),
        )
