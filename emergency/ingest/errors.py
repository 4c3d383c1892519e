"""The one error a bad file raises: names the file, the row when known, and the reason, in zh or en."""

from __future__ import annotations

import re

from emergency import i18n

__all__ = ["SPOKEN_DETAIL", "IngestError"]

# Reasons whose detail is part of what the user must read (a guessed encoding, the missing
# columns, a limit): never folded away. Other details are a library's words, shown on demand.
SPOKEN_DETAIL = frozenset(
    {
        "encoding_guess",
        "unknown_encoding",
        "missing_columns",
        "no_sheet",
        "shapefile_part",
        "format",
        "unknown_kind",
        "locked",
        "too_many_columns",
        "line_too_long",
        "too_large",
        "unsafe_zip",
        "empty",
        "unknown_column",
    }
)


class IngestError(Exception):
    """A file that cannot be imported at all; nothing was written.

    Parameters
    ----------
    file_name : str
        The file as the user named it (no temp paths).
    reason : str
        A code with a text ``ingest.error.<reason>`` in :mod:`emergency.i18n`.
    row : int, optional
        Spreadsheet row (header = 1) or feature number, when the problem has one.
    detail : str
        Extra facts for the message (the reader's own words, a column name...).
    fields : tuple of str
        Fields of the kind the message is about (missing columns): named by their label in the
        message's language, with the identifier ``--map`` takes in English.
    """

    def __init__(
        self, file_name: str, reason: str, row: int | None = None, detail: str = "", fields: tuple[str, ...] = ()
    ) -> None:
        self.file_name = file_name
        self.reason = reason
        self.row = row
        self.detail = str(detail)
        self.fields = tuple(fields)
        super().__init__(self.message("en"))

    def _fields_text(self, lang: str) -> str:
        def name(field: str) -> str:
            key = f"ingest.field.{field}"
            if key not in i18n.STRINGS:
                return field
            text = i18n.t(key, lang)
            return text if lang == i18n.DEFAULT_LANGUAGE else f"{text} ({field})"

        return ("、" if lang == i18n.DEFAULT_LANGUAGE else ", ").join(name(f) for f in self.fields)

    def message(self, lang: str = i18n.DEFAULT_LANGUAGE, with_detail: bool = True) -> str:
        """Return the message in ``lang``.

        It names the file, the row (if any), the reason and, unless ``with_detail`` is False (the
        page folds it away), the detail.
        """
        key = f"ingest.error.{self.reason}"
        if key not in i18n.STRINGS:
            key = "ingest.error.unexpected"
        shown = self.detail if with_detail or self.reason in SPOKEN_DETAIL else ""
        if self.fields:
            shown = self._fields_text(lang) + (f" ({shown})" if shown else "")
        text = i18n.t(key, lang, detail=shown)
        if not shown:
            # "文字编码不符（{detail}），…" without its detail: no empty brackets left behind.
            text = re.sub(r" ?[（(]\s*[）)]", "", text).rstrip("：: ")
        where = (
            i18n.t("ingest.error.where_row", lang, file=self.file_name, row=self.row)
            if self.row
            else (i18n.t("ingest.error.where", lang, file=self.file_name))
        )
        return f"{where}{text}"
