"""Download buttons under a chart: PNG and SVG of the figure, CSV and XLSX of its data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached
from components.text import lang, tr
from emergency import export
from emergency.filters import Filters


def township_names(f: Filters) -> list[str]:
    """Names of the filter's townships, in filter order (empty = the whole county)."""
    frame = cached.townships()
    names = dict(zip(frame["code"], frame["name"]))
    return [names.get(code, code) for code in f.townships]


def render(key: str, fig: go.Figure, data: pd.DataFrame, f: Filters) -> None:
    """Draw the four download buttons of one chart.

    Images and workbooks are made only when a button is clicked (a callable ``data``), so a
    page with many charts does not render every image on every run.
    """
    subject = fig.layout.title.text or key
    names = township_names(f)
    language = lang()

    def name(ext: str) -> str:
        return export.file_name(subject, f.start, f.end, ext, names, language)

    table = export.readable(data, language)
    row = st.container(horizontal=True, key=f"{key}_exports")
    buttons = (
        ("png", tr("export.png"), lambda: export.figure_image(fig, "png"), export.IMAGE_FORMATS["png"], ":material/image:"),
        ("svg", tr("export.svg"), lambda: export.figure_image(fig, "svg"), export.IMAGE_FORMATS["svg"], ":material/draw:"),
        ("csv", tr("export.csv"), lambda: export.to_csv(table), export.CSV_MIME, ":material/table_view:"),
        ("xlsx", tr("export.xlsx"), lambda: export.to_xlsx({subject: table}), export.XLSX_MIME, ":material/grid_on:"),
    )
    for ext, text, make, mime, icon in buttons:
        row.download_button(text, data=make, file_name=name(ext), mime=mime, key=f"{key}_{ext}",
                            on_click="ignore", icon=icon, help=tr("export.help"))
