"""Frames and figures to downloadable bytes: CSV (UTF-8 with BOM), XLSX, PNG/SVG charts, file names."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
import plotly.graph_objects as go

from emergency import codelists, inert
from emergency.i18n import CODE_LABELS, STRINGS, label, t

# A cell starting with one of these is read as a formula by Excel/LibreOffice (CSV injection,
# OWASP); such text cells get a leading apostrophe so they stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The system Chromium kaleido drives (Debian's package); kaleido searches PATH when absent.
CHROMIUM_PATH = Path("/usr/bin/chromium")
# plotly.js shipped inside the plotly package, so chart images never fetch it from a CDN.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# Chromium's own background fetches (and any stray http URL in a figure) go to this closed
# loopback port, so nothing the image renderer does can leave the host; file:// is unaffected.
DEAD_PROXY = "127.0.0.1:9"
IMAGE_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pixel size of exported chart images; PNG is rendered at twice that for print.
DEFAULT_WIDTH_PX = 1200
DEFAULT_HEIGHT_PX = 600
PNG_SCALE = 2
# Excel's limits: rows per sheet and characters of a sheet name.
XLSX_MAX_ROWS = 1_048_575
XLSX_SHEET_NAME_MAX = 31
# Townships listed by name in a file name before "等 N 个乡镇".
FILE_NAME_TOWNSHIPS = 3
# Characters not allowed in file names on Windows (where most reports are written).
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')
_UNSAFE_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Column -> vocabulary of the codes it holds, for readable exports.
CODE_COLUMNS = {
    "type": "incident_type",
    "status": "incident_status",
    "category": "stock_category",
    "incident_type": "incident_type",
    "level": "signal_level",
    "peak_level": "signal_level",
    "grade": "incident_grade",
    "method": "township_method",
}
# Columns whose codes come from one of several vocabularies (a hazard kind, a team kind ...):
# the first vocabulary that knows a code labels it.
MIXED_CODE_COLUMNS = {
    "kind": ("hazard_kind", "team_kind", "shelter_kind", "gauge_kind", "resource_kind", "village_kind"),
    "resource_kind": ("resource_kind",),
    "role": ("role", "contact_role"),
    "channel": ("warning_channel",),
    "grade_basis": ("grade_criterion",),
}

_kaleido_lock = threading.Lock()
_kaleido_started = False


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells and headers that could run as a formula start with ``'``.

    Numbers stay numbers (a negative number is not a formula); only text is changed.

    Examples
    --------
    >>> neutralize(pd.DataFrame({"a": ["=1+1", "ok", "-x"]}))["a"].tolist()
    ["'=1+1", 'ok', "'-x"]
    """
    result = frame.copy()
    result.columns = [f"'{name}" if _is_formula(name) else name for name in result.columns]
    for column in result.columns:
        series = result[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            mask = series.map(_is_formula).astype(bool)
            if mask.any():
                result[column] = series.astype(object).where(~mask, "'" + series.astype(str))
    return result


# A code column ``c`` may come with ``c_label``: the department's own text of a value kept as
# "other". Exports write it into the code's cell, 其他（体育馆）, and drop the column.
LABEL_SUFFIX = "_label"


def _code_label(code, vocabularies: Sequence[str], lang: str, text=None):
    for vocabulary in vocabularies:
        if vocabulary in CODE_LABELS and code in CODE_LABELS[vocabulary]:
            if code == codelists.OTHER:
                return codelists.export_text(vocabulary, code, text, lang)
            return label(vocabulary, code, lang)
    if vocabularies and vocabularies[0] in codelists.OPEN_LISTS + codelists.CLOSED_LISTS:
        return codelists.code_label(vocabularies[0], code, lang)  # never the bare code word in Chinese
    return code


def _cell_text(value, lang: str):
    """Render a cell as a reader expects it: nothing for a missing value, 是/否 for a flag."""
    if value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return t("export.yes" if value else "export.no", lang)
    return value


def readable(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Return a copy fit for a reader: labels for codes, 是/否 for flags, blanks for missing text.

    Code columns (type, status, kind ...) show their labels (a value kept as "other" with the
    department's own text from the ``<column>_label`` column, which is then left out:
    其他（体育馆）), headers are translated where a ``col.`` key exists, flag columns read 是/否
    (Yes/No), and missing values in text columns are empty cells, never "None", "nan" or
    "False". Numeric columns keep their type (a missing number stays an empty numeric cell).

    Examples
    --------
    >>> readable(pd.DataFrame({"type": ["flood", None], "ok": [True, False]}))[["类型"]].iloc[:, 0].tolist()
    ['洪涝', '']
    """
    result = frame.copy()
    merged = []
    for column in list(result.columns):
        vocabularies = (CODE_COLUMNS[column],) if column in CODE_COLUMNS else MIXED_CODE_COLUMNS.get(column)
        series = result[column]
        if vocabularies:
            texts = result[column + LABEL_SUFFIX] if column + LABEL_SUFFIX in result.columns else [None] * len(result)
            if column + LABEL_SUFFIX in result.columns:
                merged.append(column + LABEL_SUFFIX)
            result[column] = pd.Series(
                [
                    _code_label(code, vocabularies, lang, text) if isinstance(code, str) else code
                    for code, text in zip(series, texts, strict=True)
                ],
                index=result.index,
                dtype=object,
            )
            series = result[column]
        if (
            pd.api.types.is_bool_dtype(series.dtype)
            or series.dtype == object
            or pd.api.types.is_string_dtype(series.dtype)
        ):
            result[column] = series.astype(object).map(lambda value: _cell_text(value, lang)).astype(object)
    result = result.drop(columns=merged)
    result.columns = [t(f"col.{name}", lang) if f"col.{name}" in STRINGS else name for name in result.columns]
    return result


def _text_width(value) -> int:
    """Display width of a cell for the column width: CJK characters count double, missing counts 0."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return 0
    text = str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


def to_csv(frame: pd.DataFrame) -> bytes:
    """Return the frame as CSV in UTF-8 with a BOM (so Excel opens Chinese correctly), neutralized."""
    # CRLF line ends (RFC 4180) also make the writer quote cells holding a bare CR.
    return neutralize(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _UNSAFE_SHEET_CHARS.sub("_", str(name)).strip("'")[:XLSX_SHEET_NAME_MAX] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = base[: XLSX_SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def to_xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Return an XLSX workbook with one sheet per frame, text cells neutralized and never read as formulas.

    Parameters
    ----------
    sheets : mapping of str to pandas.DataFrame
        Sheet name -> frame; names are shortened to Excel's 31 characters and made unique.
        Rows past Excel's limit are dropped.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    # xlsxwriter would turn "=..." strings into formulas and long text into URLs unless told not to.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": options},
        datetime_format="yyyy-mm-dd hh:mm",
        date_format="yyyy-mm-dd",
    ) as writer:
        used: set[str] = set()
        for name, frame in sheets.items():
            sheet = _sheet_name(name, used)
            safe = neutralize(frame.head(XLSX_MAX_ROWS))
            safe.to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            worksheet.freeze_panes(1, 0)
            for index, column in enumerate(safe.columns):
                # pandas 3: astype(str) keeps missing values as NaN floats, so measure each cell.
                sample = [_text_width(value) for value in safe[column].head(200).tolist()]
                width = max([_text_width(column), *sample, 4]) + 2
                worksheet.set_column(index, index, min(width, 50))
    return buffer.getvalue()


def _ensure_kaleido() -> None:
    """Start the one kaleido server of this process (lazily, once; callers hold the lock)."""
    global _kaleido_started
    if _kaleido_started:
        return
    import kaleido

    options = {"mathjax": False, "plotlyjs": str(PLOTLY_JS), "proxy_server": DEAD_PROXY, "enable_extensions": False}
    if CHROMIUM_PATH.exists():
        options["path"] = str(CHROMIUM_PATH)
    # mathjax=False: otherwise kaleido loads MathJax from a CDN, which the intranet cannot reach.
    kaleido.start_sync_server(silence_warnings=True, **options)
    _kaleido_started = True


def figure_image(
    fig: go.Figure, fmt: str = "png", width: int | None = None, height: int | None = None, scale: float | None = None
) -> bytes:
    """Render a figure to PNG or SVG bytes with kaleido and the local Chromium.

    One kaleido server per process renders every image; calls are serialized because the
    server answers requests in order over one queue.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    fmt : {"png", "svg"}
    width, height : int, optional
        Pixels; default the figure's height and ``DEFAULT_WIDTH_PX``.
    scale : float, optional
        Pixel density; ``PNG_SCALE`` for PNG, 1 for SVG.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; use one of {sorted(IMAGE_FORMATS)}")
    import kaleido

    options = {
        "format": fmt,
        "width": width or fig.layout.width or DEFAULT_WIDTH_PX,
        "height": height or fig.layout.height or DEFAULT_HEIGHT_PX,
        "scale": scale or (PNG_SCALE if fmt == "png" else 1),
    }
    spec = inert.spec(fig)  # stored names never become links in an exported SVG
    with _kaleido_lock:
        _ensure_kaleido()
        data = kaleido.calc_fig_sync(spec, opts=options)
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M")


def file_name(
    subject: str, start: datetime, end: datetime, ext: str, townships: Sequence[str] = (), lang: str = "zh"
) -> str:
    """Return a safe file name naming the chart or report, the townships and the time window.

    Examples
    --------
    >>> file_name("降雨过程", datetime(2026, 6, 20), datetime(2026, 6, 21), "png", ["西镇"])
    '降雨过程_西镇_20260620-0000_20260621-0000.png'
    """
    if not townships:
        place = t("export.all_townships", lang)
    elif len(townships) <= FILE_NAME_TOWNSHIPS:
        place = "-".join(townships)
    else:
        place = t("export.more_townships", lang, names="-".join(townships[:FILE_NAME_TOWNSHIPS]), n=len(townships))
    stem = "_".join([subject, place, _stamp(start), _stamp(end)])
    return f"{_UNSAFE_FILE_CHARS.sub('_', stem).strip('._')}.{ext}"
