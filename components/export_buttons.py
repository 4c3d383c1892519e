"""Download buttons: the one guarded download, and PNG/SVG/CSV/XLSX under a chart."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached, identity
from components.text import lang, tr
from emergency import actions, export
from emergency.filters import Filters


def guarded(subject: str, make: Callable[[], bytes | str], permission: str = "export") -> Callable[[], bytes | str]:
    """A deferred download body that checks the role and writes the audit entry when clicked.

    The actor and the store are taken now, in the script run: the body runs later on
    Streamlit's download thread, which has no session.
    """
    conn, who = cached.get_store(), identity.actor()
    return lambda: actions.export(conn, who, subject, make, permission)


def download(
    where,
    text: str,
    make: Callable[[], bytes | str],
    file_name: str,
    mime: str,
    key: str,
    permission: str = "export",
    **kwargs,
) -> None:
    """A download button shown only to roles with ``permission``; the file is made (and audited) on click."""
    if identity.can(permission):
        where.download_button(
            text,
            data=guarded(file_name, make, permission),
            file_name=file_name,
            mime=mime,
            key=key,
            on_click="ignore",
            **kwargs,
        )


def township_names(f: Filters) -> list[str]:
    """Names of the filter's townships, in filter order (empty = the whole county)."""
    frame = cached.townships()
    names = dict(zip(frame["code"], frame["name"], strict=True))
    return [names.get(code, code) for code in f.townships]


def render(key: str, fig: go.Figure, data: pd.DataFrame, f: Filters) -> None:
    """Draw the four download buttons of one chart.

    Images and workbooks are made only when a button is clicked (a callable ``data``), so a
    page with many charts does not render every image on every run.
    """
    if not identity.can("export"):
        return
    subject = fig.layout.title.text or key
    names = township_names(f)
    language = lang()

    def name(ext: str) -> str:
        return export.file_name(subject, f.start, f.end, ext, names, language)

    table = export.readable(data, language)
    row = st.container(horizontal=True, key=f"{key}_exports")
    buttons = (
        (
            "png",
            tr("export.png"),
            lambda: export.figure_image(fig, "png"),
            export.IMAGE_FORMATS["png"],
            ":material/image:",
        ),
        (
            "svg",
            tr("export.svg"),
            lambda: export.figure_image(fig, "svg"),
            export.IMAGE_FORMATS["svg"],
            ":material/draw:",
        ),
        ("csv", tr("export.csv"), lambda: export.to_csv(table), export.CSV_MIME, ":material/table_view:"),
        ("xlsx", tr("export.xlsx"), lambda: export.to_xlsx({subject: table}), export.XLSX_MIME, ":material/grid_on:"),
    )
    for ext, text, make, mime, icon in buttons:
        download(row, text, make, name(ext), mime, f"{key}_{ext}", icon=icon, help=tr("export.help"))
