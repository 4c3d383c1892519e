"""The import page's parts.

Upload → preview → header mapping → validation report → commit; quarantine, freshness, log.
"""

from __future__ import annotations

import json

import streamlit as st

from components import cached, code_lists, export_buttons, filter_bar, identity, inbox_jobs, uploads
from components.text import dataframe, lang, plain, tr
from emergency import actions, export, i18n
from emergency.clock import local_now
from emergency.ingest import KINDS, READERS, IngestError, mappings
from emergency.ingest import kinds as ingest_kinds
from emergency.ingest.errors import SPOKEN_DETAIL

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
STATE_GUESS = "imp_encoding_guess"


def _problem_texts(problems) -> str:
    """Every problem of a row (JSON [[reason, field, value], ...]) as one readable line."""
    if not isinstance(problems, str) or not problems:
        return ""
    try:
        items = json.loads(problems)
    except ValueError:
        return ""
    return "；".join(f"{tr(f'ingest.reason.{r}')}（{f}{'=' + v if v else ''}）" for r, f, v in items)


def _reason_texts(frame):
    frame = frame.copy()
    frame["reason"] = [tr(f"ingest.reason.{code}") for code in frame["reason"]]
    if "problems" in frame.columns:
        frame["problems"] = [_problem_texts(p) for p in frame["problems"]]
    return frame


def _rejects_table(frame):
    names = [c for c in ("sheet", "row_number", "reason", "problems", "field", "value", "raw") if c in frame.columns]
    if "sheet" in names and frame["sheet"].isna().all():
        names.remove("sheet")
    columns = {c: tr(f"ingest.col.{c}") for c in names}
    return _reason_texts(frame)[list(columns)].rename(columns=columns)


def _use_guess(encoding: str) -> None:
    """Button callback (runs before the widgets exist): read the file with the confirmed guess."""
    st.session_state[STATE_GUESS] = encoding
    st.session_state["imp_encoding"] = encoding


def show_error(error: IngestError) -> None:
    """A file that cannot be imported: the translated message, the technical detail folded below."""
    st.error(plain(error.message(lang(), with_detail=False)))
    if error.detail and error.reason not in SPOKEN_DETAIL:
        with st.expander(tr("ingest.details")):
            st.text(f"{error.reason}: {error.detail}")


def _uploads(files):
    # On disk under the hardened server (components.uploads); bytes only without it.
    return uploads.source(files)


def _preview(files, encoding: str | None, sheet: str | None, kind: str | None = None):
    """The file's preview, kept for this session while file, encoding, sheet and kind stay the same."""
    signature = (tuple((f.name, f.size, f.file_id) for f in files), encoding, sheet, kind)
    kept = st.session_state.get(STATE_PREVIEW)
    if kept and kept[0] == signature:
        if isinstance(kept[1], IngestError):
            raise kept[1]  # audited once, when it first failed
        return kept[1]
    try:
        result = actions.preview_file(
            cached.get_store(),
            identity.actor(),
            _uploads(files),
            file_name=files[0].name,
            encoding=encoding,
            sheet=sheet,
            n=PREVIEW_ROWS,
            kind=kind,
        )
    except IngestError as error:
        st.session_state[STATE_PREVIEW] = (signature, error)
        raise
    st.session_state[STATE_PREVIEW] = (signature, result)
    return result


def _options():
    """Kind, coordinate system, encoding and source chosen above the uploader (the operator is the signed-in user)."""
    left, middle, right = st.columns(3)
    kind = left.selectbox(tr("ingest.kind"), list(KINDS), format_func=lambda k: tr(f"ingest.kind.{k}"), key="imp_kind")
    choice = middle.selectbox(
        tr("ingest.crs"),
        CRS_CHOICES,
        key="imp_crs",
        help=tr("ingest.crs_help"),
        format_func=lambda c: CRS_LABELS.get(c) or tr("ingest.crs.file" if not c else "ingest.crs.other"),
    )
    crs = choice or None
    if choice == "epsg":
        crs = middle.text_input(tr("ingest.epsg"), value="EPSG:4548", key="imp_epsg").strip() or None
    # An unsure guess the user confirmed joins the choices (cp932, latin-1...).
    guessed = st.session_state.get(STATE_GUESS)
    choices = ENCODINGS + ((guessed,) if guessed and guessed not in ENCODINGS else ())
    encoding = (
        right.selectbox(
            tr("ingest.encoding"),
            choices,
            key="imp_encoding",
            format_func=lambda e: e.upper() or tr("ingest.encoding.auto"),
        )
        or None
    )
    source = st.text_input(tr("ingest.source"), key="imp_source", help=tr("ingest.source_help")).strip() or None
    return kind, crs, encoding, source


def _mapping(
    kind: str, headers: tuple[str, ...], has_geometry: bool, sha: str, source_name: str | None = None
) -> dict[str, str | None]:
    """One select per field, seeded with the automatic match and what this source confirmed before."""
    st.markdown(f"**{tr('ingest.mapping')}**")
    with cached.get_store().cursor() as cursor:
        recalled = mappings.recall(cursor, kind, headers, source_name)
    guessed = ingest_kinds.merge_mapping(KINDS[kind], list(headers), recalled.mapping)
    # Name the remembered mapping that seeds the selects: this source's, or this header set's.
    auto = ingest_kinds.suggest_mapping(KINDS[kind], list(headers))
    applied = recalled.applied(guessed, auto)
    for line in mappings.applied_lines({k: guessed[k] for k in applied}, applied, lang()):
        st.caption(plain(line))
    options = ["", *headers]
    mapping: dict[str, str | None] = {}
    columns = st.columns(4)
    for index, f in enumerate(KINDS[kind].fields):
        from_geometry = has_geometry and f.name in ("lon", "lat")
        note = tr("ingest.from_geometry") if from_geometry else tr("ingest.required") if f.required else ""
        label = tr(f"ingest.field.{f.name}") + (f" · {note}" if note else "")
        chosen = columns[index % 4].selectbox(
            label,
            options,
            index=options.index(guessed[f.name] or ""),
            key=f"imp_map_{kind}_{f.name}_{sha[:12]}_{abs(hash(source_name)) % 10**6}",
            format_func=lambda h: h or tr("ingest.mapping_none"),
        )
        mapping[f.name] = chosen or None
    return mapping


def _show_report(report) -> None:
    st.markdown(f"**{tr('ingest.report')}**")
    figures = ("total", "accepted", "rejected", "inserted", "updated", "unchanged")
    for column, name in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(tr(f"ingest.{name}"), f"{getattr(report, name):,}")
    for note in report.notes:
        st.caption(tr(f"ingest.note.{note}"))
    _show_extras(report)
    if report.rejected:
        st.markdown(f"**{tr('ingest.rejects')}**")
        dataframe(_rejects_table(report.rejects), hide_index=True, width="stretch")
        if report.rejected > len(report.rejects):
            st.caption(tr("ingest.rejects_more", shown=len(report.rejects), total=report.rejected))
        # Rejected cells are the department's raw text: neutralized like every export.
        rejects = _reason_texts(report.rejects)
        export_buttons.download(
            st,
            tr("ingest.download_rejects"),
            lambda: export.to_csv(rejects),
            f"rejected-{report.file_name}.csv",
            export.CSV_MIME,
            "imp_download_rejects",
            permission="import",
        )


def _show_extras(report) -> None:
    """Show the report's extra facts.

    Sheets read and skipped, unit conversions, other-labels, created warehouses, missing locations, unused headers.
    """
    if report.sheets_read and (len(report.sheets_read) > 1 or report.sheets_skipped):
        st.caption(
            tr(
                "ingest.sheets_read",
                sheets="、".join(f"{plain(name)}（{rows:,}）" for name, rows in report.sheets_read),
            )
        )
    for name, why in report.sheets_skipped:
        st.caption(tr("ingest.sheet_skipped", sheet=plain(name), why=tr(f"ingest.skip.{why}")))
    for c in report.conversions:
        if c["where"] == "header":
            st.caption(
                tr(
                    "ingest.unit_header",
                    header=plain(c["header"]),
                    unit=c["unit"],
                    to=c["to"],
                    factor=f"{c['factor']:g}",
                    rows=f"{c['rows']:,}",
                )
            )
        else:
            st.caption(tr("ingest.unit_cell", header=plain(c["header"]), to=c["to"], rows=f"{c['rows']:,}"))
    for field_name, labels in report.others.items():
        listed = "、".join(f"{plain(label)}（{rows:,}）" for label, rows in labels.items())
        st.warning(tr("ingest.others", field=tr(f"ingest.field.{field_name}"), labels=listed))
    for names in report.created.values():
        st.info(tr("ingest.created_warehouses", n=len(names), names="、".join(plain(n) for n in names[:20])))
    if report.location_missing:
        st.info(tr("ingest.location_missing", n=f"{report.location_missing:,}"))
    for line in mappings.applied_lines(report.remembered, report.remembered_from, lang()):
        st.caption(plain(line))
    if report.unused_headers:
        st.warning(
            tr(
                "ingest.unused_headers",
                headers="、".join(
                    f"{plain(header)}（{tr('ingest.looks_like')}{tr(f'ingest.field.{name}')}）"
                    for header, name in report.unused_headers
                ),
            )
        )


def _commit(source, file_name, kind, crs, encoding, sheet, mapping, source_name) -> None:
    bar = st.progress(0.0, text=tr("ingest.stage.read"))

    def progress(stage: str, fraction: float) -> None:
        bar.progress(fraction, text=tr(f"ingest.stage.{stage}"))

    report = cached.run_import(
        identity.actor(),
        source,
        kind,
        file_name=file_name,
        crs=crs,
        encoding=encoding,
        sheet=sheet,
        mapping=mapping,
        dry_run=False,
        source_name=source_name,
        progress=progress,
    )
    st.session_state[STATE_DONE] = report


def _inbox_results() -> None:
    """Import what the command line queued while the app held the store, and say so."""
    try:
        results = cached.process_inbox(identity.actor(), lang())
    except Exception as error:  # a broken job folder must not take the page down
        st.error(
            tr(
                "ingest.inbox_failed",
                message=plain(str(error).splitlines()[0][:300] if str(error) else type(error).__name__),
            )
        )
        return
    for result in results:
        if result["ok"]:
            st.success(
                tr(
                    "ingest.inbox_done",
                    file=plain(result["file"]),
                    accepted=f"{result['accepted']:,}",
                    rejected=f"{result['rejected']:,}",
                    id=result["import_id"],
                )
            )
        else:
            st.error(tr("ingest.inbox_failed", message=plain(result["message"])))
    inbox_jobs.render()


def render_import() -> None:  # noqa: C901 - one linear wizard: each branch is a step the user sees, in order
    """Queued imports, then upload, preview, mapping, validation report and commit of one file."""
    _inbox_results()
    kind, crs, encoding, source_name = _options()
    files = st.file_uploader(
        tr("ingest.upload"),
        accept_multiple_files=True,
        key="imp_files",
        type=[ext.lstrip(".") for ext in READERS] + ["shx", "dbf", "prj", "cpg"],
    )
    done = st.session_state.get(STATE_DONE)
    if done is not None:
        st.success(
            tr(
                "ingest.committed",
                file=plain(done.file_name),
                accepted=f"{done.accepted:,}",
                inserted=f"{done.inserted:,}",
                updated=f"{done.updated:,}",
                unchanged=f"{done.unchanged:,}",
                rejected=f"{done.rejected:,}",
                id=done.import_id,
            )
        )
    if not files:
        return
    refused = uploads.over_budget(files)
    if refused:
        st.error(tr("ingest.over_budget", **{**refused, "file": plain(refused["file"])}))
        return
    try:
        # The sheet choice belongs to this upload: a new file starts from its first sheet.
        sheet_key = "imp_sheet_" + str(abs(hash(tuple((f.name, f.size, f.file_id) for f in files))))
        sheet = st.session_state.get(sheet_key) or None  # "" is every fitting sheet
        shown = _preview(files, encoding, sheet, kind)
        if len(shown.sheets) > 1:
            # "" reads every sheet whose header fits the kind; a name narrows to that sheet.
            sheet = (
                st.selectbox(
                    tr("ingest.sheet"),
                    ["", *shown.sheets],
                    key=sheet_key,
                    format_func=lambda s: s or tr("ingest.sheet_all"),
                )
                or None
            )
            shown = _preview(files, encoding, sheet, kind)
            if shown.sheets_read:
                st.caption(
                    tr("ingest.sheets_read", sheets="、".join(f"{plain(n)}（{r:,}）" for n, r in shown.sheets_read))
                )
            for name, why in shown.sheets_skipped:
                st.caption(tr("ingest.sheet_skipped", sheet=plain(name), why=tr(f"ingest.skip.{why}")))
        st.caption(
            tr(
                "ingest.file_facts",
                format=shown.format,
                encoding=(shown.encoding or "-").upper(),
                crs=crs or shown.crs or "WGS84",
                columns=len(shown.headers),
            )
        )
        st.markdown(f"**{tr('ingest.preview', n=PREVIEW_ROWS)}**")
        dataframe(shown.rows, hide_index=True, width="stretch")
        mapping = _mapping(kind, shown.headers, shown.has_geometry, shown.sha256, source_name)
        signature = (shown.sha256, kind, crs, encoding, sheet, tuple(mapping.items()))
        if st.button(tr("ingest.validate"), key="imp_validate", type="secondary"):
            st.session_state.pop(STATE_DONE, None)
            bar = st.progress(0.0, text=tr("ingest.stage.read"))
            report = cached.run_import(
                identity.actor(),
                _uploads(files),
                kind,
                file_name=shown.file_name,
                crs=crs,
                encoding=encoding,
                sheet=sheet,
                mapping=mapping,
                dry_run=True,
                source_name=source_name,
                progress=lambda stage, fraction: bar.progress(fraction, text=tr(f"ingest.stage.{stage}")),
            )
            bar.empty()
            st.session_state[STATE_REPORT] = (signature, report)
        kept = st.session_state.get(STATE_REPORT)
        if not kept or kept[0] != signature:
            return
        report = kept[1]
        _show_report(report)
        code_lists.report_others(report, KINDS[kind])
        if report.accepted == 0:
            # Committing still records the file and quarantines its rows for the department.
            st.info(tr("ingest.nothing"))
        if st.button(tr("ingest.commit"), key="imp_commit", type="primary"):
            _commit(_uploads(files), shown.file_name, kind, crs, encoding, sheet, mapping, source_name)
            st.session_state.pop(STATE_REPORT, None)
            st.rerun()
    except IngestError as error:
        show_error(error)
        if error.reason == "encoding_guess" and error.detail:
            # Shown for confirmation: read the file with the guess only when the user says so.
            st.button(
                tr("ingest.use_guess", encoding=error.detail.upper()),
                key="imp_use_guess",
                on_click=_use_guess,
                args=(error.detail,),
            )
    except Exception as error:  # whatever slipped through reads as a message, never a traceback
        st.error(tr("ingest.error.unexpected_short"))
        with st.expander(tr("ingest.details")):
            st.text(f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}")


def render_quarantine() -> None:
    """Rejected rows of every import, by file, viewable and downloadable."""
    files = cached.quarantine_files()
    if files.empty:
        st.info(tr("ingest.quarantine_empty"))
        return
    options = ["", *files["file_hash"]]
    names = dict(zip(files["file_hash"], files["file_name"] + " · " + files["rows"].astype(str), strict=True))
    chosen = st.selectbox(
        tr("ingest.quarantine_filter"),
        options,
        key="imp_quarantine_file",
        format_func=lambda h: names.get(h, "—") if h else tr("ingest.quarantine_all"),
    )
    rows = cached.quarantine(chosen or None)
    table = _reason_texts(rows)[["file_name", "kind", "row_number", "reason", "field", "value", "raw"]]
    table["kind"] = [tr(f"ingest.kind.{k}") for k in table["kind"]]
    dataframe(table.rename(columns=lambda c: tr(f"ingest.col.{c}")), hide_index=True, width="stretch")
    export_buttons.download(
        st,
        tr("ingest.download_quarantine"),
        lambda: export.to_csv(table),
        "quarantine.csv",
        export.CSV_MIME,
        "imp_download_quarantine",
        permission="import",
    )


def render_freshness() -> None:
    """Latest data time per source and per gauge; stale gauges listed."""
    st.markdown(f"**{tr('ingest.freshness_sources')}**")
    sources = cached.source_freshness().copy()
    sources["kind"] = [tr(f"ingest.kind.{k}") if f"ingest.kind.{k}" in i18n.STRINGS else k for k in sources["kind"]]
    dataframe(
        sources.rename(
            columns={
                "source": tr("ingest.col.source"),
                "kind": tr("ingest.col.kind"),
                "latest_data_at": tr("ingest.col.latest"),
                "rows": tr("ingest.col.rows"),
                "last_import_at": tr("ingest.col.time"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    f = filter_bar.current()
    as_of = f.end if f is not None else local_now().replace(second=0, microsecond=0)
    minutes = st.number_input(
        tr("ingest.stale_after"),
        min_value=5,
        max_value=7 * 24 * 60,
        value=DEFAULT_STALE_MIN,
        step=5,
        key="imp_stale_min",
    )
    gauges = cached.gauge_freshness(as_of, int(minutes))
    stale = int(gauges["stale"].sum())
    when = f"{as_of:%Y-%m-%d %H:%M}"
    if stale:
        st.warning(tr("ingest.stale_gauges", n=stale, as_of=when))
    else:
        st.success(tr("ingest.no_stale", as_of=when))
    st.markdown(f"**{tr('ingest.freshness_gauges')}**")
    shown = gauges[["code", "name", "township_name", "source", "last_ts", "age_min", "stale"]]
    dataframe(
        shown.rename(
            columns={
                "code": tr("ingest.field.code"),
                "name": tr("ingest.col.gauge"),
                "township_name": tr("ingest.col.township"),
                "source": tr("ingest.col.source"),
                "last_ts": tr("ingest.col.latest"),
                "age_min": tr("ingest.col.age_min"),
                "stale": tr("ingest.col.stale"),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def render_log() -> None:
    """The latest imports."""
    log = cached.import_log()
    if log.empty:
        st.info(tr("ingest.log_empty"))
        return
    shown = log[
        [
            "id",
            "imported_at",
            "file_name",
            "kind",
            "source",
            "accepted",
            "rejected",
            "inserted",
            "updated",
            "latest_data_at",
            "user_name",
        ]
    ].copy()
    shown["kind"] = [tr(f"ingest.kind.{k}") for k in shown["kind"]]
    dataframe(
        shown.rename(
            columns={
                "imported_at": tr("ingest.col.time"),
                "file_name": tr("ingest.col.file_name"),
                "kind": tr("ingest.col.kind"),
                "source": tr("ingest.col.source"),
                "accepted": tr("ingest.col.accepted"),
                "rejected": tr("ingest.col.rejected"),
                "inserted": tr("ingest.inserted"),
                "updated": tr("ingest.updated"),
                "latest_data_at": tr("ingest.col.latest"),
                "user_name": tr("ingest.col.user"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
