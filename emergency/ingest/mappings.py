"""Header mappings a user confirmed, remembered per source department and per header set.

A mapping confirmed on the import page (or given with ``--map``) is kept twice: for the source
department and kind (``header_mappings``, when a source name is given) and for the kind and the
file's set of header names (``header_set_mappings``). A later file is mapped automatically, then
with what its header set was mapped to before, then with what its source confirmed before, then
with what the user gives now: the same department file shape maps again even when nobody names
the source.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["HEADERS", "SOURCE", "Remembered", "applied_lines", "recall", "remember", "signature"]

# Where a remembered field mapping came from.
SOURCE = "source"
HEADERS = "headers"


def _fold(header) -> str:
    """Fold a header for comparison: NFKC (full-width to half-width), inner spaces removed, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).casefold()


def signature(headers) -> str:
    """Return the identity of a file layout: a digest of its folded, non-empty header names, in any order.

    Examples
    --------
    >>> signature(["事件编号", "类型 "]) == signature(["类型", "事件编号"])
    True
    """
    names = sorted({_fold(h) for h in headers if h is not None and _fold(h)})
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()[:32]


@dataclass
class Remembered:
    """A mapping recalled for a file: {field: header or None} and where each field came from."""

    mapping: dict[str, str | None] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # field -> SOURCE or HEADERS
    source: str | None = None
    signature: str = ""

    def applied(self, final: dict[str, str | None], auto: dict[str, str | None]) -> dict[str, str]:
        """{field: origin} of the recalled fields the import used that differ from the automatic match.

        The origin is ``"headers"``, or ``"source:<name>"`` naming the source department.
        """
        return {
            name: HEADERS if self.origin[name] == HEADERS else f"{SOURCE}:{self.source}"
            for name, header in self.mapping.items()
            if final.get(name) == header and auto.get(name) != header
        }


def recall(cursor, kind: str, headers, source_name: str | None = None) -> Remembered:
    """Return the mapping remembered for this header set and kind, with this source's laid over it."""
    result = Remembered(source=source_name or None, signature=signature(headers))
    try:
        by_headers = cursor.execute(
            "SELECT field, header FROM header_set_mappings WHERE signature = ? AND kind = ?",
            [result.signature, kind],
        ).fetchall()
    except Exception:  # a read-only store older than schema 15 has no such table
        by_headers = []
    for name, header in by_headers:
        result.mapping[name], result.origin[name] = header, HEADERS
    if source_name:
        for name, header in cursor.execute(
            "SELECT field, header FROM header_mappings WHERE source = ? AND kind = ?", [source_name, kind]
        ).fetchall():
            result.mapping[name], result.origin[name] = header, SOURCE
    return result


def remember(
    cursor, kind: str, headers, source_name: str | None, given: dict[str, str | None], user: str | None, now
) -> None:
    """Keep the fields a user mapped by hand for the header set and, when named, for the source."""
    if not given:
        return
    sig = signature(headers)
    listed = json.dumps([str(h) for h in headers if h is not None], ensure_ascii=False)
    for name, header in given.items():
        cursor.execute(
            "INSERT OR REPLACE INTO header_set_mappings"
            " (signature, kind, field, header, headers, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [sig, kind, name, header, listed, user, now],
        )
        if source_name:
            cursor.execute(
                "INSERT OR REPLACE INTO header_mappings (source, kind, field, header, updated_by, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [source_name, kind, name, header, user, now],
            )


def applied_lines(remembered: dict[str, str | None], origins: dict[str, str], lang: str) -> list[str]:
    """Return the report's lines naming which remembered mapping was applied, field by field.

    ``origins`` is :meth:`Remembered.applied` (``ImportReport.remembered_from``): a line for the
    source's mapping (naming the source) and one for the header set's.
    """
    from emergency import i18n

    groups: dict[str, list[str]] = {}
    for name, header in remembered.items():
        shown = header if header is not None else i18n.t("ingest.mapping_none", lang)
        groups.setdefault(origins.get(name, HEADERS), []).append(f"{i18n.t(f'ingest.field.{name}', lang)} ← {shown}")
    lines = []
    for origin, fields in groups.items():
        if origin.startswith(SOURCE + ":"):
            source = origin.split(":", 1)[1]
            lines.append(i18n.t("ingest.remembered.source", lang, source=source, fields="、".join(fields)))
        else:
            lines.append(i18n.t("ingest.remembered.headers", lang, fields="、".join(fields)))
    return lines
