"""The import toolkit every importer shares (campaigns' public data files, canvassing's register files): a
:class:`Problem` (one thing wrong with a file, where a spreadsheet would show it), :class:`ImportRejected` (the
refusal that carries every problem; nothing is written) and :class:`ImportReport` (what an import did, per
table), with the test a file must pass before it is read as text at all.

It imports no app, so that every app may import it; an app's own report extends :class:`ImportReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. ``row`` is the line number a spreadsheet would show (header = 1)."""

    row: int | None
    column: str | None
    problem: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "problem": self.problem}

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


class ImportRejected(Exception):
    """The file was rejected; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]) + (" …" if len(problems) > 5 else ""))


@dataclass
class Counts:
    """What an import did to one table."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "deleted": self.deleted}


@dataclass(kw_only=True)
class ImportReport:
    """What an import did, per table. ``changed`` is False when a re-run found nothing to write.

    A kind whose counts live elsewhere (a register import counts electors in its own fields) overrides
    :meth:`counts`; its own fields join :meth:`as_dict`.
    """

    kind: str
    rows: int = 0
    tables: dict[str, Counts] = field(default_factory=dict)

    def counts(self) -> dict[str, Counts]:
        return self.tables

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts().values())

    def as_dict(self) -> dict:
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("kind", "rows", "tables")}
        return {
            "kind": self.kind,
            "rows": self.rows,
            **own,
            "changed": self.changed,
            "tables": {name: c.as_dict() for name, c in self.counts().items()},
            "summary": self.summary(),
        }

    def summary(self) -> str:
        if not self.changed:
            return f"{self.kind}: {self.rows} rows read, no changes."
        parts = [
            f"{name}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
            + (f", {c.deleted} deleted" if c.deleted else "")
            for name, c in self.counts().items()
        ]
        return f"{self.kind}: {self.rows} rows read; " + "; ".join(parts) + "."


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first line: UTF-16, or not text at all (a NUL further on is named by its line)."""
    return b"\x00" in data[:4096].split(b"\n", 1)[0]
