"""Export an issued warning as a CAP 1.2 alert (OASIS Common Alerting Protocol) for the provincial system."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import duckdb
import pandas as pd
import shapely

from emergency import config, i18n, queries, store
from emergency.clock import UTC_OFFSET

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
# CAP times carry their offset (clock.UTC_OFFSET); the store's naive times are local time.
# How long a warning stays in force unless updated or cancelled, hours (CAP <expires>).
DEFAULT_VALID_HOURS = 24
# Township outlines are simplified to this tolerance (degrees, ~200 m) for <polygon>.
POLYGON_TOLERANCE_DEG = 0.002
# CAP <severity>, <urgency> and <responseType> per signal level.
LEVEL_SEVERITY = {"blue": "Minor", "yellow": "Moderate", "orange": "Severe", "red": "Extreme"}
LEVEL_URGENCY = {"blue": "Expected", "yellow": "Expected", "orange": "Immediate", "red": "Immediate"}
LEVEL_RESPONSE = {"blue": "Monitor", "yellow": "Prepare", "orange": "Prepare", "red": "Evacuate"}


def cap_time(moment: datetime) -> str:
    """Return a naive local time as a CAP dateTime (seconds and the +08:00 offset)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + UTC_OFFSET


def polygon_text(wkb: bytes) -> str | None:
    """Return the outer ring of a (multi)polygon's largest part as CAP "lat,lon lat,lon ..." text.

    The ring is closed (first pair = last pair) and has at least 4 pairs, as CAP requires;
    None for an empty or degenerate shape.
    """
    shape = shapely.from_wkb(bytes(wkb))
    parts = list(getattr(shape, "geoms", [shape]))
    parts = [part for part in parts if part.geom_type == "Polygon" and not part.is_empty]
    if not parts:
        return None
    largest = max(parts, key=lambda part: part.area)
    ring = shapely.simplify(largest, POLYGON_TOLERANCE_DEG, preserve_topology=True).exterior.coords
    pairs = [f"{lat:.5f},{lon:.5f}" for lon, lat in ring]
    return " ".join(pairs) if len(pairs) >= 4 and pairs[0] == pairs[-1] else None


def _add(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{name}")
    if text is not None:
        element.text = text
    return element


def _pair(parent: ET.Element, name: str, value_name: str, value: str) -> None:
    element = _add(parent, name)
    _add(element, "valueName", value_name)
    _add(element, "value", value)


def build_alert(
    warning: dict,
    areas: pd.DataFrame,
    county_code: str,
    county_name: str,
    is_demo: bool,
    sender: str | None = None,
) -> bytes:
    """Return the CAP 1.2 XML of one warning.

    Parameters
    ----------
    warning : dict
        A row of :func:`emergency.queries.warnings_issued` (id, level, text, issued_at, ...).
    areas : pandas.DataFrame
        The warned townships: code, name, geometry (WKB), in the order to list them.
    county_code, county_name : str
        The issuing county.
    is_demo : bool
        Demo data go out with status ``Exercise``, never ``Actual``.
    sender : str, optional
        CAP sender id; ``[yitu] cap_sender`` in secrets.toml, else derived from the county code.

    Returns
    -------
    bytes
        UTF-8 XML with declaration, root ``alert`` in the CAP 1.2 namespace.
    """
    ET.register_namespace("", CAP_NAMESPACE)
    level = warning["level"]
    issued = pd.Timestamp(warning["issued_at"]).to_pydatetime()
    level_zh = i18n.label("signal_level", level, "zh")
    sender_name = f"{county_name}应急管理局"
    alert = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    _add(alert, "identifier", f"yitu.{county_code}.warning.{int(warning['id'])}.{issued:%Y%m%d%H%M%S}")
    _add(alert, "sender", sender or config.setting("cap_sender", f"yjj-{county_code}@yitu.local"))
    _add(alert, "sent", cap_time(issued))
    _add(alert, "status", "Exercise" if is_demo else "Actual")
    _add(alert, "msgType", "Alert")
    _add(alert, "source", "一图研判")
    _add(alert, "scope", "Public")
    if is_demo:
        _add(alert, "note", "演示数据，非真实预警 / demo data, not a real warning")
    info = _add(alert, "info")
    _add(info, "language", "zh-CN")
    _add(info, "category", "Met")
    _add(info, "event", "暴雨")
    _add(info, "responseType", LEVEL_RESPONSE[level])
    _add(info, "urgency", LEVEL_URGENCY[level])
    _add(info, "severity", LEVEL_SEVERITY[level])
    _add(info, "certainty", "Likely")
    _pair(info, "eventCode", "signal_level", level)
    _add(info, "effective", cap_time(issued))
    _add(info, "expires", cap_time(issued + timedelta(hours=DEFAULT_VALID_HOURS)))
    _add(info, "senderName", sender_name)
    _add(info, "headline", f"{sender_name}发布暴雨{level_zh}预警")
    _add(info, "description", warning["text"])
    _pair(info, "parameter", "channels", ",".join(warning["channels"]))
    _pair(info, "parameter", "issued_by", warning["issued_by"])
    for area in areas.itertuples(index=False):
        element = _add(info, "area")
        _add(element, "areaDesc", area.name)
        polygon = polygon_text(area.geometry)
        if polygon:
            _add(element, "polygon", polygon)
        _pair(element, "geocode", "township_code", area.code)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def warning_alert(conn: duckdb.DuckDBPyConnection, warning_id: int, sender: str | None = None) -> bytes:
    """Return the CAP 1.2 XML of a stored warning (see :func:`build_alert`).

    Raises
    ------
    ValueError
        If there is no warning with that id.
    """
    warnings = queries.warnings_issued(conn)
    match = warnings[warnings["id"] == int(warning_id)]
    if match.empty:
        raise ValueError(f"no warning with id {warning_id!r}")
    warning = match.iloc[0].to_dict()
    townships = queries.townships(conn)
    areas = townships.set_index("code").loc[[c for c in warning["townships"] if c in set(townships["code"])]]
    meta = store.get_meta(conn)
    county = queries.county(conn)
    county_name = meta.get("county_name") or (county["name"].iloc[0] if not county.empty else "")
    return build_alert(
        warning,
        areas.reset_index()[["code", "name", "geometry"]],
        meta.get("county_code", ""),
        county_name,
        meta.get("is_demo") == "true",
        sender,
    )
