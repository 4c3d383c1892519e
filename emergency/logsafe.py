"""Log records never carry a password: every ``scheme://user:password@`` URL in a record is masked.

A server store's driver names its URL in its messages (DuckDB's postgres extension writes the
libpq URL, percent-encoded), and ``log.exception`` anywhere would write it into the server log.
:func:`install` wraps the log-record factory once per process: the message, its arguments and the
traceback text are masked when the record is made, before any handler formats it.
"""

from __future__ import annotations

import logging
import traceback

from emergency.pgstore import scrub_urls

_installed = False


def _masked(value):
    return scrub_urls(value) if isinstance(value, str) else value


def install() -> None:
    """Mask URL passwords in every log record of this process (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.args:
            record.msg = scrub_urls(record.getMessage())
            record.args = None
        else:
            record.msg = _masked(record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            # Formatted now, masked; formatters use exc_text when it is set.
            record.exc_text = scrub_urls("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
