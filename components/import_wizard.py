"""The import page's parts: upload → preview → header mapping → validation report → commit; quarantine, freshness, log."""

from __future__ import annotations

import streamlit as st

from components import cached, export_buttons, filter_bar, identity, inbox_jobs, uploads
from components.text import lang, plain, tr
from emergency import export, i18n
from emergency.ingest import KINDS, READERS, IngestError, local_now, preview, suggest_mapping

# Rows shown in the preview.
PREVIEW_ROWS = 20
# Minutes without a report before a gauge counts as stale, by default.
DEFAULT_STALE_MIN = 60
# Encodings offered; "" lets the reader detect it.
ENCODINGS = ("", "utf-8", "gb18030", "gbk", "big5", "utf-16")
# Coordinate systems offered; "" trusts the file (.prj, else WGS84), "epsg" asks for a code.
CRS_CHOICES = ("", "wgs84", "cgcs2000", "gcj02", "bd09", "epsg")
CRS_LABELS = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}
# Session keys of this page: the last dry-run report, the last commit, the cached preview.
STATE_REPORT = "imp_report"
STATE_DONE = "imp_done"
STATE_PREVIEW = "imp_preview"


def _reason_texts(frame):
    frame = frame.copy()
    frame["reason"] = [tr(f"ingest.reason.{code}") for code in frame["reason"]]
    return frame


def _rejects_table(frame):
    columns = {c: tr(f"ingest.col.{c}") for c in ("row_number", "reason", "field", "value", "raw")}
    return _reason_texts(frame)[list(columns)].rename(columns=columns)


def _uploads(files):
    # On disk under the hardened server (components.uploads); bytes only without it.
    return uploads.source(files)


def _preview(files, encoding: str | None, sheet: str | None):
    """The file's preview, kept for this session while file, encoding and sheet stay the same."""
    signature = (tuple((f.name, f.size, f.file_id) for f in files), encoding, sheet)
    kept = st.session_state.get(STATE_PREVIEW)
    if kept and kept[0] == signature:
        return kept[1]
    result = preview(_uploads(files), encoding=encoding, sheet=sheet, n=PREVIEW_ROWS)
    st.session_state[STATE_PREVIEW] = (signature, result)
    return result


def _options():
    """Kind, coordinate system, encoding and source chosen above the uploader (the operator is the signed-in user)."""
    left, middle, right = st.columns(3)
    kind = left.selectbox(tr("ingest.kind"), list(KINDS), format_func=lambda k: tr(f"ingest.kind.{k}"), key="imp_kind")
    choice = middle.selectbox(
        tr("ingest.crs"), CRS_CHOICES, key="imp_crs", help=tr("ingest.crs_help"),
        format_func=lambda c: CRS_LABELS.get(c) or tr("ingest.crs.file" if not c else "ingest.crs.other"),
    )
    crs = choice or None
    if choice == "epsg":
        crs = middle.text_input(tr("ingest.epsg"), value="EPSG:4548", key="imp_epsg").strip() or None
    encoding = right.selectbox(
        tr("ingest.encoding"), ENCODINGS, key="imp_encoding", format_func=lambda e: e.upper() or tr("ingest.encoding.auto"),
    ) or None
    source = st.text_input(tr("ingest.source"), key="imp_source", help=tr("ingest.source_help")).strip() or None
    return kind, crs, encoding, source


def _mapping(kind: str, headers: tuple[str, ...], has_geometry: bool, sha: str) -> dict[str, str | None]:
    """One select per field, seeded with the automatic match; the user may change any."""
    st.markdown(f"**{tr('ingest.mapping')}**")
    guessed = suggest_mapping(KINDS[kind], list(headers))
    options = ["", *headers]
    mapping: dict[str, str | None] = {}
    columns = st.columns(4)
    for index, f in enumerate(KINDS[kind].fields):
        from_geometry = has_geometry and f.name in ("lon", "lat")
        note = tr("ingest.from_geometry") if from_geometry else tr("ingest.required") if f.required else ""
        label = tr(f"ingest.field.{f.name}") + (f" · {note}" if note else "")
        chosen = columns[index % 4].selectbox(
            label, options, index=options.index(guessed[f.name] or ""), key=f"imp_map_{kind}_{f.name}_{sha[:12]}",
            format_func=lambda h: h or tr("ingest.mapping_none"),
        )
        mapping[f.name] = chosen or None
    return mapping


def _show_report(report) -> None:
    st.markdown(f"**{tr('ingest.report')}**")
    figures = ("total", "accepted", "rejected", "inserted", "updated", "unchanged")
    for column, name in zip(st.columns(len(figures)), figures):
        column.metric(tr(f"ingest.{name}"), f"{getattr(report, name):,}")
    for note in report.notes:
        st.caption(tr(f"ingest.note.{note}"))
    if report.rejected:
        st.markdown(f"**{tr('ingest.rejects')}**")
        st.dataframe(_rejects_table(report.rejects), hide_index=True, width="stretch")
        if report.rejected > len(report.rejects):
            st.caption(tr("ingest.rejects_more", shown=len(report.rejects), total=report.rejected))
        # Rejected cells are the department's raw text: neutralized like every export.
        rejects = _reason_texts(report.rejects)
        export_buttons.download(st, tr("ingest.download_rejects"), lambda: export.to_csv(rejects),
                                f"rejected-{report.file_name}.csv", export.CSV_MIME, "imp_download_rejects",
                                permission="import")


def _commit(source, file_name, kind, crs, encoding, sheet, mapping, source_name) -> None:
    bar = st.progress(0.0, text=tr("ingest.stage.read"))

    def progress(stage: str, fraction: float) -> None:
        bar.progress(fraction, text=tr(f"ingest.stage.{stage}"))

    report = cached.run_import(
        identity.actor(), source, kind, file_name=file_name, crs=crs, encoding=encoding, sheet=sheet,
        mapping=mapping, dry_run=False, source_name=source_name, progress=progress,
    )
    st.session_state[STATE_DONE] = report


def _inbox_results() -> None:
    """Import what the command line queued while the app held the store, and say so."""
    try:
        results = cached.process_inbox(identity.actor(), lang())
    except Exception as error:  # a broken job folder must not take the page down
        st.error(tr("ingest.inbox_failed", message=plain(str(error).splitlines()[0][:300] if str(error) else type(error).__name__)))
        return
    for result in results:
        if result["ok"]:
            st.success(tr(
                "ingest.inbox_done", file=plain(result["file"]), accepted=f"{result['accepted']:,}",
                rejected=f"{result['rejected']:,}", id=result["import_id"],
            ))
        else:
            st.error(tr("ingest.inbox_failed", message=plain(result["message"])))
    inbox_jobs.render()


def render_import() -> None:
    """Queued imports, then upload, preview, mapping, validation report and commit of one file."""
    _inbox_results()
    kind, crs, encoding, source_name = _options()
    files = st.file_uploader(
        tr("ingest.upload"), accept_multiple_files=True, key="imp_files",
        type=[ext.lstrip(".") for ext in READERS] + ["shx", "dbf", "prj", "cpg"],
    )
    done = st.session_state.get(STATE_DONE)
    if done is not None:
        st.success(tr(
            "ingest.committed", file=plain(done.file_name), accepted=f"{done.accepted:,}", inserted=f"{done.inserted:,}",
            updated=f"{done.updated:,}", unchanged=f"{done.unchanged:,}", rejected=f"{done.rejected:,}", id=done.import_id,
        ))
    if not files:
        return
    refused = uploads.over_budget(files)
    if refused:
        st.error(tr("ingest.over_budget", **{**refused, "file": plain(refused["file"])}))
        return
    try:
        # The sheet choice belongs to this upload: a new file starts from its first sheet.
        sheet_key = "imp_sheet_" + str(abs(hash(tuple((f.name, f.size, f.file_id) for f in files))))
        sheet = st.session_state.get(sheet_key)
        shown = _preview(files, encoding, sheet)
        if len(shown.sheets) > 1:
            sheet = st.selectbox(tr("ingest.sheet"), shown.sheets, key=sheet_key)
            shown = _preview(files, encoding, sheet)
        st.caption(tr(
            "ingest.file_facts", format=shown.format, encoding=(shown.encoding or "-").upper(),
            crs=crs or shown.crs or "WGS84", columns=len(shown.headers),
        ))
        st.markdown(f"**{tr('ingest.preview', n=PREVIEW_ROWS)}**")
        st.dataframe(shown.rows, hide_index=True, width="stretch")
        mapping = _mapping(kind, shown.headers, shown.has_geometry, shown.sha256)
        signature = (shown.sha256, kind, crs, encoding, shown.sheet, tuple(mapping.items()))
        if st.button(tr("ingest.validate"), key="imp_validate", type="secondary"):
            st.session_state.pop(STATE_DONE, None)
            report = cached.run_import(
                identity.actor(), _uploads(files), kind, file_name=shown.file_name, crs=crs, encoding=encoding,
                sheet=shown.sheet, mapping=mapping, dry_run=True, source_name=source_name,
            )
            st.session_state[STATE_REPORT] = (signature, report)
        kept = st.session_state.get(STATE_REPORT)
        if not kept or kept[0] != signature:
            return
        report = kept[1]
        _show_report(report)
        if report.accepted == 0:
            # Committing still records the file and quarantines its rows for the department.
            st.info(tr("ingest.nothing"))
        if st.button(tr("ingest.commit"), key="imp_commit", type="primary"):
            _commit(_uploads(files), shown.file_name, kind, crs, encoding, shown.sheet, mapping, source_name)
            st.session_state.pop(STATE_REPORT, None)
            st.rerun()
    except IngestError as error:
        st.error(plain(error.message(lang())))
    except Exception as error:  # whatever slipped through reads as a message, never a traceback
        st.error(tr("ingest.error.unexpected", detail=plain(str(error).splitlines()[0][:300] if str(error) else type(error).__name__)))


def render_quarantine() -> None:
    """Rejected rows of every import, by file, viewable and downloadable."""
    files = cached.quarantine_files()
    if files.empty:
        st.info(tr("ingest.quarantine_empty"))
        return
    options = ["", *files["file_hash"]]
    names = dict(zip(files["file_hash"], files["file_name"] + " · " + files["rows"].astype(str)))
    chosen = st.selectbox(
        tr("ingest.quarantine_filter"), options, key="imp_quarantine_file",
        format_func=lambda h: names.get(h, "—") if h else tr("ingest.quarantine_all"),
    )
    rows = cached.quarantine(chosen or None)
    table = _reason_texts(rows)[["file_name", "kind", "row_number", "reason", "field", "value", "raw"]]
    table["kind"] = [tr(f"ingest.kind.{k}") for k in table["kind"]]
    st.dataframe(table.rename(columns=lambda c: tr(f"ingest.col.{c}")), hide_index=True, width="stretch")
    export_buttons.download(st, tr("ingest.download_quarantine"), lambda: export.to_csv(table), "quarantine.csv",
                            export.CSV_MIME, "imp_download_quarantine", permission="import")


def render_freshness() -> None:
    """Latest data time per source and per gauge; stale gauges listed."""
    st.markdown(f"**{tr('ingest.freshness_sources')}**")
    sources = cached.source_freshness().copy()
    sources["kind"] = [tr(f"ingest.kind.{k}") if f"ingest.kind.{k}" in i18n.STRINGS else k for k in sources["kind"]]
    st.dataframe(
        sources.rename(columns={
            "source": tr("ingest.col.source"), "kind": tr("ingest.col.kind"), "latest_data_at": tr("ingest.col.latest"),
            "rows": tr("ingest.col.rows"), "last_import_at": tr("ingest.col.time"),
        }),
        hide_index=True, width="stretch",
    )
    f = filter_bar.current()
    as_of = f.end if f is not None else local_now().replace(second=0, microsecond=0)
    minutes = st.number_input(tr("ingest.stale_after"), min_value=5, max_value=7 * 24 * 60, value=DEFAULT_STALE_MIN, step=5, key="imp_stale_min")
    gauges = cached.gauge_freshness(as_of, int(minutes))
    stale = int(gauges["stale"].sum())
    when = f"{as_of:%Y-%m-%d %H:%M}"
    if stale:
        st.warning(tr("ingest.stale_gauges", n=stale, as_of=when))
    else:
        st.success(tr("ingest.no_stale", as_of=when))
    st.markdown(f"**{tr('ingest.freshness_gauges')}**")
    shown = gauges[["code", "name", "township_name", "source", "last_ts", "age_min", "stale"]]
    st.dataframe(
        shown.rename(columns={
            "code": tr("ingest.field.code"), "name": tr("ingest.col.gauge"), "township_name": tr("ingest.col.township"),
            "source": tr("ingest.col.source"), "last_ts": tr("ingest.col.latest"), "age_min": tr("ingest.col.age_min"),
            "stale": tr("ingest.col.stale"),
        }),
        hide_index=True, width="stretch",
    )


def render_log() -> None:
    """The latest imports."""
    log = cached.import_log()
    if log.empty:
        st.info(tr("ingest.log_empty"))
        return
    shown = log[["id", "imported_at", "file_name", "kind", "source", "accepted", "rejected", "inserted", "updated", "latest_data_at", "user_name"]].copy()
    shown["kind"] = [tr(f"ingest.kind.{k}") for k in shown["kind"]]
    st.dataframe(
        shown.rename(columns={
            "imported_at": tr("ingest.col.time"), "file_name": tr("ingest.col.file_name"), "kind": tr("ingest.col.kind"),
            "source": tr("ingest.col.source"), "accepted": tr("ingest.col.accepted"), "rejected": tr("ingest.col.rejected"),
            "inserted": tr("ingest.inserted"), "updated": tr("ingest.updated"), "latest_data_at": tr("ingest.col.latest"),
            "user_name": tr("ingest.col.user"),
        }),
        hide_index=True, width="stretch",
    )
