"""Code lists kept in the store: open categories, their synonyms, and what an admin maps or adds.

Every categorical field of an import (incident type, supply category, team and shelter kind...)
reads its values against a code list. The built-in codes come from :mod:`emergency.vocab` and
their labels from :mod:`emergency.i18n`; the store's ``code_lists`` table holds them too (seeded
by schema 8 with the national classification each belongs to) plus the codes an administrator
adds, and ``code_synonyms`` the spellings an administrator mapped to a code. A value that is no
known code or spelling is stored as ``other`` with its original text in the ``<field>_label``
column, so no row is lost; mapping that text later rewrites the stored rows and teaches every
later import.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from emergency import i18n, vocab
from emergency.sql import quote_literal

__all__ = [
    "CLOSED_LISTS",
    "OPEN_LISTS",
    "OTHER",
    "add_code",
    "bindings",
    "code_label",
    "codes",
    "colors",
    "display",
    "export_text",
    "labels",
    "map_label",
    "normalize",
    "other_labels",
    "seed_sql",
    "spellings",
    "sync_labels",
]

# The code every open list keeps for values it does not know (their text is kept beside it).
OTHER = "other"
# Lists whose unknown values are kept as "other" + label.
OPEN_LISTS = ("incident_type", "stock_category", "team_kind", "shelter_kind", "hazard_kind", "gauge_kind")
# Lists that stay closed: incident status drives the duty workflow (an unknown status
# cannot be placed in it), village kind is a schema CHECK, duty title names a post.
# Administrators can still teach them spellings.
CLOSED_LISTS = ("incident_status", "village_kind", "duty_title")
# Admin-given code names: lower-case letters, digits and underscores.
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,39}")
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Seed:
    """One built-in code as schema 8 stored it."""

    list: str
    code: str
    name_zh: str
    name_en: str
    color: str | None
    standard: str | None
    standard_class: str | None


# The national classification each built-in code belongs to. GB/T 35561-2017 (突发事件分类与编码)
# divides incidents into 自然灾害 / 事故灾难 / 公共卫生事件 / 社会安全事件; GB/T 38565-2020
# (应急物资分类及编码) supplies into 1 基本生活保障物资 / 2 应急装备及配套物资 / 3 工程材料与机械加工设备;
# GB/T 44013-2024 (应急避难场所 分级及分类) shelters into indoor and outdoor places.
GBT_35561 = "GB/T 35561-2017"
GBT_38565 = "GB/T 38565-2020"
GBT_44013 = "GB/T 44013-2024"
# (list, code) -> (standard, class within it); codes absent here are this system's own.
STANDARD_CLASSES: dict[tuple[str, str], tuple[str, str]] = {
    ("incident_type", "flood"): (GBT_35561, "自然灾害/水旱灾害"),
    ("incident_type", "flash_flood"): (GBT_35561, "自然灾害/水旱灾害"),
    ("incident_type", "waterlogging"): (GBT_35561, "自然灾害/水旱灾害"),
    ("incident_type", "drought"): (GBT_35561, "自然灾害/水旱灾害"),
    ("incident_type", "landslide"): (GBT_35561, "自然灾害/地质灾害"),
    ("incident_type", "debris_flow"): (GBT_35561, "自然灾害/地质灾害"),
    ("incident_type", "rockfall"): (GBT_35561, "自然灾害/地质灾害"),
    ("incident_type", "ground_subsidence"): (GBT_35561, "自然灾害/地质灾害"),
    ("incident_type", "collapse"): (GBT_35561, "事故灾难"),
    ("incident_type", "traffic"): (GBT_35561, "事故灾难/交通运输事故"),
    ("incident_type", "earthquake"): (GBT_35561, "自然灾害/地震灾害"),
    ("incident_type", "meteorological"): (GBT_35561, "自然灾害/气象灾害"),
    ("incident_type", "forest_fire"): (GBT_35561, "自然灾害/森林草原火灾"),
    ("incident_type", "fire"): (GBT_35561, "事故灾难/火灾事故"),
    ("incident_type", "production_safety"): (GBT_35561, "事故灾难/生产安全事故"),
    ("incident_type", "public_health"): (GBT_35561, "公共卫生事件"),
    ("incident_type", "social_security"): (GBT_35561, "社会安全事件"),
    ("stock_category", "living"): (GBT_38565, "1 基本生活保障物资"),
    ("stock_category", "rescue_equipment"): (GBT_38565, "2 应急装备及配套物资"),
    ("stock_category", "power_comms"): (GBT_38565, "2 应急装备及配套物资"),
    ("stock_category", "medical"): (GBT_38565, "2 应急装备及配套物资"),
    ("stock_category", "flood_control"): (GBT_38565, "3 工程材料与机械加工设备"),
    ("stock_category", "engineering"): (GBT_38565, "3 工程材料与机械加工设备"),
    ("shelter_kind", "school"): (GBT_44013, "室内"),
    ("shelter_kind", "stadium"): (GBT_44013, "室内"),
    ("shelter_kind", "community_center"): (GBT_44013, "室内"),
    ("shelter_kind", "park"): (GBT_44013, "室外"),
    ("shelter_kind", "square"): (GBT_44013, "室外"),
}


class CodeListError(ValueError):
    """A code-list change refused; ``reason`` names its text (``codes.error.<reason>`` in emergency.i18n).

    The message (English) is for logs and the command line; ``fields`` fill the translated text.
    """

    def __init__(self, reason: str, message: str, **fields: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.fields = fields


def _hex(rgb) -> str | None:
    return "#{:02x}{:02x}{:02x}".format(*rgb) if rgb is not None else None


def builtin_codes(name: str) -> tuple[str, ...]:
    """Codes of a list known to this program (vocab / i18n), in display order."""
    return tuple(vocab.CODE_LISTS[name])


def seeds() -> list[Seed]:
    """List the built-in codes of every list, with labels, colours and standard classes."""
    rows = []
    for name in (*OPEN_LISTS, *CLOSED_LISTS):
        for code in builtin_codes(name):
            zh, en = i18n.CODE_LABELS.get(name, {}).get(code, (code, code))
            standard, klass = STANDARD_CLASSES.get((name, code), (None, None))
            rows.append(Seed(name, code, zh, en, _hex(vocab.CODE_LISTS[name].get(code)), standard, klass))
    return rows


def seed_sql() -> str:
    """INSERT statement of the built-in codes (constants of this program, quoted) for schema 8."""
    values = ",\n".join(
        "("
        + ", ".join(
            quote_literal(v) for v in (s.list, s.code, s.name_zh, s.name_en, s.color, s.standard, s.standard_class)
        )
        + f", true, {position})"
        for position, s in enumerate(seeds())
    )
    return (
        "INSERT INTO code_lists (list, code, name_zh, name_en, color, standard, standard_class, builtin, position) "
        f"VALUES\n{values};"
    )


def normalize(text) -> str:
    """Fold a value for matching: inner spaces removed, case-folded (as the import does in SQL)."""
    return re.sub(r"\s+", "", str(text)).lower()


# The same fold in SQL, for stored labels; ``{}`` is a column expression from this program.
NORMALIZE_SQL = "lower(regexp_replace({}, '\\s+', '', 'g'))"


def codes(conn: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Read the codes of list ``name`` in the store.

    Columns: code, name_zh, name_en, color, standard, standard_class, builtin.
    """
    cursor = conn.cursor()
    try:
        return cursor.execute(
            """SELECT code, name_zh, name_en, color, standard, standard_class, builtin
               FROM code_lists WHERE list = ? ORDER BY builtin DESC, position, code""",
            [name],
        ).df()
    finally:
        cursor.close()


def spellings(cursor: duckdb.DuckDBPyConnection, name: str, builtin: dict[str, str]) -> dict[str, str]:
    """Map each normalized spelling of a list to its code: the built-in ones, then the store's codes and synonyms.

    A synonym an administrator mapped wins over a built-in spelling; a code's own name does not
    take a spelling already bound.
    """
    merged = dict(builtin)
    for code, zh, en in cursor.execute(
        "SELECT code, name_zh, name_en FROM code_lists WHERE list = ? ORDER BY position, code", [name]
    ).fetchall():
        for spelling in (code, zh, en):
            if spelling:
                merged.setdefault(normalize(spelling), code)
    for spelling, code in cursor.execute("SELECT spelling, code FROM code_synonyms WHERE list = ?", [name]).fetchall():
        merged[spelling] = code
    return merged


def bindings(name: str) -> list[tuple[str, str]]:
    """(table, column) pairs whose values are codes of list ``name`` (from the import kinds)."""
    from emergency.ingest.kinds import KINDS

    pairs = []
    for kind in KINDS.values():
        for f in kind.fields:
            if f.type == "code" and f.vocabulary == name and (kind.table, f.name) not in pairs:
                pairs.append((kind.table, f.name))
    return pairs


def _label_column(cursor, table: str, column: str) -> str | None:
    label = f"{column}_label"
    present = cursor.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?", [table, label]
    ).fetchone()[0]
    return label if present else None


def other_labels(conn: duckdb.DuckDBPyConnection, name: str | None = None) -> pd.DataFrame:
    """Texts stored as "other", per list: list, label, rows (most rows first).

    These are the values departments used that no code covers yet: the work list of the
    code-list administrator.
    """
    cursor = conn.cursor()
    try:
        parts, params = [], []
        for list_name in [name] if name else OPEN_LISTS:
            for table, column in bindings(list_name):
                label = _label_column(cursor, table, column)
                if label is None:
                    continue
                # Identifiers come from the kind specs, values are parameters.
                parts.append(
                    f"SELECT ? AS list, {label} AS label FROM {table} WHERE {column} = ? AND {label} IS NOT NULL"
                )
                params += [list_name, OTHER]
        if not parts:
            return pd.DataFrame({"list": [], "label": [], "rows": []})
        return cursor.execute(
            f"SELECT list, label, count(*) AS rows FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL ORDER BY rows DESC,"
            " list, label",
            params,
        ).df()
    finally:
        cursor.close()


def _known(cursor, name: str, code: str) -> bool:
    return bool(
        cursor.execute("SELECT count(*) FROM code_lists WHERE list = ? AND code = ?", [name, code]).fetchone()[0]
    )


def map_label(
    conn: duckdb.DuckDBPyConnection, name: str, label: str, code: str, user: str | None = None, now=None
) -> int:
    """Map the text ``label`` of list ``name`` to ``code``: remembered, and applied to stored rows.

    Returns the number of stored rows that changed from "other" to ``code``. One transaction.

    Raises
    ------
    ValueError
        For an unknown list or code, or an empty label.
    """
    if name not in OPEN_LISTS + CLOSED_LISTS:
        raise CodeListError("unknown_list", f"unknown code list {name!r}", list=name)
    spelling = normalize(label)
    if not spelling:
        raise CodeListError("empty_label", "empty label")
    from emergency import store  # store seeds its schema from this module
    from emergency.clock import local_now

    changed = 0
    # Joins the caller's transaction (emergency.actions: the mapping and its audit row together).
    with store.transaction(conn) as cursor:
        if not _known(cursor, name, code):
            raise CodeListError("unknown_code", f"unknown code {code!r} in list {name!r}", code=code)
        cursor.execute(
            "INSERT OR REPLACE INTO code_synonyms (list, spelling, label, code, created_by, created_at) VALUES (?, ?,"
            " ?, ?, ?, ?)",
            [name, spelling, str(label).strip(), code, user, now or local_now(precise=True)],
        )
        for table, column in bindings(name):
            label_column = _label_column(cursor, table, column)
            if label_column is None:
                continue
            fold = NORMALIZE_SQL.format(label_column)
            changed += cursor.execute(
                f"UPDATE {table} SET {column} = ?, {label_column} = NULL WHERE {column} = ? AND {fold} = ?",
                [code, OTHER, spelling],
            ).fetchone()[0]
    return int(changed)


def add_code(
    conn: duckdb.DuckDBPyConnection, name: str, code: str, name_zh: str, name_en: str, color: str | None = None
) -> None:
    """Add a code to an open list (name in Chinese and English, colour ``#rrggbb``).

    Raises
    ------
    ValueError
        For a closed or unknown list, a malformed code or colour, empty names, or a code that exists.
    """
    if name not in OPEN_LISTS:
        raise CodeListError(
            "closed_list", f"codes can be added to open lists only ({', '.join(OPEN_LISTS)})", list=name
        )
    if not CODE_PATTERN.fullmatch(code or ""):
        raise CodeListError(
            "bad_code", "code: lower-case letters, digits and _, 2-40 characters, starting with a letter", code=code
        )
    if not (name_zh or "").strip() or not (name_en or "").strip():
        raise CodeListError("names_needed", "both names are needed")
    if color is not None and not HEX_COLOR.fullmatch(color):
        raise CodeListError("bad_color", "colour must be #rrggbb", color=color)
    from emergency import store  # store seeds its schema from this module

    with store.transaction(conn) as cursor:
        if _known(cursor, name, code):
            raise CodeListError("code_exists", f"code {code!r} exists in {name!r}", code=code)
        position = cursor.execute("SELECT coalesce(max(position), 0) + 1 FROM code_lists").fetchone()[0]
        cursor.execute(
            "INSERT INTO code_lists (list, code, name_zh, name_en, color, standard, standard_class, builtin, position) "
            "VALUES (?, ?, ?, ?, ?, NULL, NULL, false, ?)",
            [name, code, name_zh.strip(), name_en.strip(), color, position],
        )
    sync_labels(conn)


# Colours for codes that have none configured (an administrator's code added without one, or
# a stored code no list knows): a qualitative palette (ColorBrewer Dark2 + Set1 + Paired, greys
# left out: grey is "other"). The n-th code of a list without a colour takes the n-th palette
# colour its list does not use yet, so colours are deterministic and adding a code never
# recolours an earlier one.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (27, 158, 119),
    (217, 95, 2),
    (117, 112, 179),
    (231, 41, 138),
    (102, 166, 30),
    (230, 171, 2),
    (166, 118, 29),
    (228, 26, 28),
    (55, 126, 184),
    (77, 175, 74),
    (152, 78, 163),
    (255, 127, 0),
    (166, 86, 40),
    (247, 129, 191),
    (166, 206, 227),
    (178, 223, 138),
    (251, 154, 153),
    (253, 191, 111),
    (202, 178, 214),
    (106, 61, 154),
    (177, 89, 40),
    (31, 120, 180),
    (51, 160, 44),
    (227, 26, 28),
)


# The codes the opened store adds to each list, {list: {code: RGB or None}} (:func:`sync_labels`).
ADDED: dict[str, dict[str, tuple[int, int, int] | None]] = {}


def _rgb(color: str | None) -> tuple[int, int, int] | None:
    if isinstance(color, str) and HEX_COLOR.fullmatch(color):
        return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    return None


def _free_colour(name: str, code: str, taken: set) -> tuple[int, int, int]:
    """Return the first palette colour not taken in the list; past the palette, one chosen by the code's digest."""
    for colour in PALETTE:
        if colour not in taken:
            return colour
    digest = hashlib.sha256(f"{name}\0{code}".encode()).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def colors(name: str, present=()) -> dict[str, tuple[int, int, int]]:
    """{code: RGB} of every code of list ``name`` in display order, each with a colour.

    Built-in codes come first (their configured colours), then the codes the store adds (see
    :func:`sync_labels`), "other" last; a code without a colour gets the next unused palette
    colour.
    ``present`` names stored values that may be missing from the list (a store older than its
    codes): they are appended with a colour too, so nothing is drawn in the "other" grey by
    accident.
    """
    configured = dict(vocab.CODE_LISTS.get(name, {}))
    for code, colour in ADDED.get(name, {}).items():
        configured.setdefault(code, colour)
    for value in present:
        if isinstance(value, str) and value and value not in configured:
            configured[value] = None
    if OTHER in configured:  # "other" closes every legend and filter list
        configured[OTHER] = configured.pop(OTHER)
    taken = {colour for colour in configured.values() if colour is not None}
    result = {}
    for code, colour in configured.items():
        if colour is None:
            colour = _free_colour(name, code, taken)
            taken.add(colour)
        result[code] = tuple(colour)
    return result


def code_label(name: str, code, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return the label of a code in ``lang``: never the bare code word on a Chinese screen, never "None".

    The strings table (built-in and synced codes) first; a code nobody named is shown as 其他
    (Other) with the code beside it in English only.
    """
    if code is None or (isinstance(code, float) and code != code) or code == "":
        return ""
    pair = i18n.CODE_LABELS.get(name, {}).get(code)
    if pair:
        return i18n.label(name, code, lang)
    other = i18n.CODE_LABELS.get(name, {}).get(OTHER, ("其他", "Other"))
    return other[0] if lang != "en" else f"{other[1]} ({code})"


def labels(name: str, lang: str = i18n.DEFAULT_LANGUAGE, present=()) -> dict[str, str]:
    """{code: label} of every code of list ``name`` in display order (as :func:`colors`)."""
    return {code: code_label(name, code, lang) for code in colors(name, present)}


def sync_labels(conn: duckdb.DuckDBPyConnection) -> None:
    """Make the codes administrators added known to the display tables of this process.

    Labels go into :data:`emergency.i18n.CODE_LABELS` and colours into the vocab dicts, so
    tables, legends, filters and tooltips show an added code by its name and colour (the codes
    themselves are kept in :data:`ADDED`; the program's own lists in :mod:`emergency.vocab`
    stay as they are, they seed new stores). A name
    missing in one language falls back to the other name, in Chinese to the department text
    mapped to the code (never an English word on a Chinese screen); a code without a colour
    gets one from :data:`PALETTE` (:func:`colors`). Built-in codes are never touched.
    """
    cursor = conn.cursor()
    try:
        rows = cursor.execute(
            """SELECT c.list, c.code, c.name_zh, c.name_en, c.color,
                      (SELECT min(s.label) FROM code_synonyms s WHERE s.list = c.list AND s.code = c.code)
               FROM code_lists c WHERE NOT c.builtin ORDER BY c.position, c.code"""
        ).fetchall()
    except duckdb.Error:
        return  # a store older than schema 8 (read-only) has no code lists
    finally:
        cursor.close()
    added: dict[str, dict[str, tuple[int, int, int] | None]] = {}
    for name, code, zh, en, color, synonym in rows:
        zh, en = (zh or "").strip(), (en or "").strip()
        zh_shown = zh or (synonym or "").strip() or code
        if not zh and not synonym:
            # Nothing Chinese to show: the list's "other" with the code, never a bare English word.
            zh_shown = f"{i18n.CODE_LABELS.get(name, {}).get(OTHER, ('其他', 'Other'))[0]}（{en or code}）"
        i18n.CODE_LABELS.setdefault(name, {}).setdefault(code, (zh_shown, en or zh or (synonym or "").strip() or code))
        added.setdefault(name, {})[code] = _rgb(color)
    # Replaced whole, so the process shows exactly the codes of the store it opened last.
    ADDED.clear()
    ADDED.update(added)


def export_text(name: str, code, label=None, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Write a stored code as exports do: its label, and for "other" the original text in brackets.

    其他（体育馆） in Chinese, ``Other (体育馆)`` in English; a blank original text gives the label alone.
    """
    shown = code_label(name, code, lang)
    if code == OTHER and isinstance(label, str) and label.strip():
        return f"{shown}（{label.strip()}）" if lang != "en" else f"{shown} ({label.strip()})"
    return shown


def display(name: str, code, label=None, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Show a stored code: its label, and for "other" the department's own text (其他·体育馆)."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    shown = code_label(name, code, lang) if name in i18n.CODE_LABELS else str(code)
    if code == OTHER and isinstance(label, str) and label.strip():
        return f"{shown}·{label.strip()}"
    return shown
