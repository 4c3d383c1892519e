"""Data import (一网汇聚): department files in any common format, checked row by row, loaded in one transaction.

One engine serves the CLI (``python -m emergency.ingest``) and the import page: readers in a
registry keyed by extension (:data:`READERS`), kinds as specs (:data:`KINDS`), and
:func:`import_file`, the only writer of imported data.
"""

from emergency.ingest.engine import REASONS, ImportReport, import_file, import_table, report_json
from emergency.ingest.errors import IngestError
from emergency.ingest.kinds import KINDS, Field, Kind, normalize_header, suggest_mapping, vocabulary
from emergency.ingest.readers import READERS, Preview, Table, Upload, detect_encoding, open_table, preview

__all__ = [
    "KINDS",
    "READERS",
    "REASONS",
    "Field",
    "ImportReport",
    "IngestError",
    "Kind",
    "Preview",
    "Table",
    "Upload",
    "detect_encoding",
    "import_file",
    "import_table",
    "normalize_header",
    "open_table",
    "preview",
    "report_json",
    "suggest_mapping",
    "vocabulary",
]
