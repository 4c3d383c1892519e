"""The import page's list of command-line queued jobs: queued, importing, done and failed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.text import tr
from emergency import config
from emergency.ingest import inbox

# Jobs shown (newest first); older ones stay in the inbox folders.
MAX_SHOWN = 200


def render() -> None:
    """A table of the inbox's jobs, shown only when there are any (closed expander otherwise)."""
    found = inbox.jobs(config.store_target())
    if not found:
        return
    failed = sum(job["state"] == "failed" for job in found)
    with st.expander(f"{tr('ingest.jobs')} · {len(found)}", expanded=bool(failed)):
        table = pd.DataFrame(found[:MAX_SHOWN])
        table["state"] = [tr(f"ingest.job_state.{state}") for state in table["state"]]
        table["kind"] = [tr(f"ingest.kind.{k}") if f"ingest.kind.{k}" in _keys() else (k or "—") for k in table["kind"]]
        for column in ("queued_at", "finished_at"):
            table[column] = [str(v)[:19].replace("T", " ") if isinstance(v, str) else v for v in table[column]]
        shown = table[["state", "file", "kind", "user", "queued_at", "attempts", "finished_at", "message"]].fillna("—")
        st.dataframe(
            shown.rename(
                columns={
                    "state": tr("ingest.col.job_state"),
                    "file": tr("ingest.col.file_name"),
                    "kind": tr("ingest.col.kind"),
                    "user": tr("ingest.col.user"),
                    "queued_at": tr("ingest.col.queued_at"),
                    "attempts": tr("ingest.col.attempts"),
                    "finished_at": tr("ingest.col.finished_at"),
                    "message": tr("ingest.col.job_message"),
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _keys():
    from emergency import i18n

    return i18n.STRINGS
