"""Building SQL text: values always travel as ``?`` parameters, identifiers are quoted.

Every statement the package builds from parts goes through here: :class:`Sql` (a text and its
parameters built together), :class:`Where` (a WHERE clause and its parameters) and the quoting
of identifiers, which cannot be parameters (checked against a whitelist first where they could
come from outside), and of the program's own constants in seed SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


class Sql:
    """A SQL text and its ``?`` parameters built together, so values never enter the text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, text: str, *params) -> Sql:
        """Add a piece of SQL text and the parameters its ``?`` stand for; return self for chaining."""
        self.parts.append(text)
        self.params.extend(params)
        return self

    def text(self, sep: str = "") -> str:
        """Return the pieces joined by ``sep``."""
        return sep.join(self.parts)


class Where:
    """Build a WHERE clause and its parameters together, so no value is ever spliced into SQL."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list = []

    def add(self, clause: str, *params) -> Where:
        """Add a parameterized ``clause`` and its parameters; return self for chaining."""
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def window(self, column: str, start: datetime, end: datetime) -> Where:
        """Restrict ``column`` to the window ``(start, end]``."""
        return self.add(f"{column} > ? AND {column} <= ?", start, end)

    def any_of(self, column: str, values: Sequence[str]) -> Where:
        """Restrict ``column`` to ``values``; an empty selection means no restriction, as in the filter bar."""
        if values:
            self.add(f"list_contains(?, {column})", list(values))
        return self

    def sql(self) -> str:
        """Return the WHERE clause (with a leading space), or an empty string when nothing restricts."""
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


def quote_identifier(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier (inner double quotes doubled).

    Examples
    --------
    >>> quote_identifier('rain"fall')
    '"rain""fall"'
    """
    return '"' + name.replace('"', '""') + '"'


def identifier(name: str, allowed: set[str]) -> str:
    """Return ``name`` quoted, after checking it against the whitelist ``allowed``.

    Raises
    ------
    ValueError
        When ``name`` is not in ``allowed``.
    """
    if name not in allowed:
        raise ValueError(f"unknown column {name!r}")
    return quote_identifier(name)


def quote_literal(value) -> str:
    """Return a constant of this program as a SQL literal (NULL for None) for seed statements.

    Only for the program's own constants (built-in code lists) and for statements that take no
    parameters (``ATTACH`` of a file path or a configured server URL); anything that comes from a
    user or a file is passed as a parameter instead.

    Examples
    --------
    >>> quote_literal("it's"), quote_literal(None)
    ("'it''s'", 'NULL')
    """
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"
