"""The staging area: a temporary SQLite database on disk holding the file and the stored voters.

Comparing a million rows with each other and with a million stored voters is a join; doing it
with indexed SQL on disk keeps the import's memory flat whatever the file's size. The staging
area finds facts (this line's voter id is also on lines 4 and 9); `domain.voter_rows` words them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from chalicelib.domain.voter_rows import RowProblem, StoredVoter, VoterRow, conflict_problem

# The rows sharing a value that only one voter may have: (column, problem code, how many
# voters share it). One voter id on two lines is a duplicate even if the lines are equal;
# one address on two lines is a duplicate only if they are two voters.
_UNIQUE_COLUMNS = (
    ("voter_id", "duplicate_voter_id", "COUNT(*)"),
    ("email", "duplicate_email", "COUNT(DISTINCT voter_id)"),
)


class Staging:
    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -32768;
            CREATE TABLE incoming (
                line INTEGER PRIMARY KEY, voter_id TEXT, email TEXT,
                valid INTEGER, fingerprint TEXT, payload TEXT);
            -- A row's own problems come worded (message); a conflict with other rows or voters
            -- comes as facts (value, other) and is worded when read.
            CREATE TABLE problems (line INTEGER, code TEXT, message TEXT, value TEXT, other TEXT);
            CREATE TABLE stored (
                voter_id TEXT PRIMARY KEY, email TEXT, fingerprint TEXT,
                removed INTEGER, payload TEXT);
            """
        )

    def close(self) -> None:
        self.db.close()

    def begin(self) -> None:
        self.db.execute("BEGIN")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def add_row(self, line: int, voter_id: str, email: str, row: VoterRow | None, problems: list[RowProblem]) -> None:
        self.db.execute(
            "INSERT INTO incoming VALUES (?, ?, ?, ?, ?, ?)",
            (
                line,
                voter_id,
                email,
                0 if problems else 1,
                row.fingerprint() if row else None,
                json.dumps(row.__dict__, ensure_ascii=False) if row else None,
            ),
        )
        self.db.executemany(
            "INSERT INTO problems VALUES (?, ?, ?, NULL, NULL)", [(line, p.code, p.message) for p in problems]
        )

    def reject_duplicates(self) -> None:
        """Reject every row whose voter id, or address, another row of the file also has."""
        indexes = "".join(f"CREATE INDEX incoming_{column} ON incoming ({column});" for column, _, _ in _UNIQUE_COLUMNS)
        rejections = "".join(
            f"""
            CREATE TEMP TABLE shared_{column} AS
                SELECT {column} FROM incoming WHERE {column} != ''
                GROUP BY {column} HAVING {holders} > 1;
            INSERT INTO problems
                SELECT i.line, '{code}', NULL, i.{column},
                       (SELECT group_concat(j.line, ', ') FROM incoming j WHERE j.{column} = i.{column})
                FROM incoming i JOIN shared_{column} USING ({column});
            UPDATE incoming SET valid = 0 WHERE {column} IN (SELECT {column} FROM shared_{column});
            """
            for column, code, holders in _UNIQUE_COLUMNS
        )
        self.db.executescript(f"{indexes} BEGIN; {rejections} COMMIT;")

    def add_stored(self, voter: StoredVoter, fingerprint: str) -> None:
        self.db.execute(
            "INSERT INTO stored VALUES (?, ?, ?, ?, ?)",
            (
                voter.voter_id,
                voter.email,
                fingerprint,
                1 if voter.removed else 0,
                json.dumps(voter.__dict__, ensure_ascii=False),
            ),
        )

    def reject_addresses_held_elsewhere(self, prune: bool) -> None:
        """A valid row whose address another stored voter keeps after this import is rejected.

        The other voter keeps it when their own row is missing (and not pruned) or rejected.
        Rejecting a row lets its voter keep their old address, which may in turn block
        another row: repeat until nothing changes.
        """
        self.db.execute("CREATE INDEX IF NOT EXISTS stored_email ON stored (email)")
        while True:
            conflicts = self.db.execute(
                """
                SELECT i.line, i.email, s.voter_id FROM incoming i
                JOIN stored s ON s.email = i.email
                WHERE i.valid = 1 AND s.removed = 0 AND s.voter_id != i.voter_id
                  AND NOT EXISTS (SELECT 1 FROM incoming k WHERE k.voter_id = s.voter_id AND k.valid = 1)
                  AND (? = 0 OR EXISTS (SELECT 1 FROM incoming k WHERE k.voter_id = s.voter_id))
                """,
                (1 if prune else 0,),
            ).fetchall()
            if not conflicts:
                return
            self.begin()
            self.db.executemany("INSERT INTO problems VALUES (?, 'email_taken', NULL, ?, ?)", conflicts)
            self.db.executemany("UPDATE incoming SET valid = 0 WHERE line = ?", [(line,) for line, _, _ in conflicts])
            self.commit()

    def problems(self) -> Iterator[tuple[int, RowProblem]]:
        """Every problem by line, each line's problems ordered by code."""
        query = "SELECT line, code, message, value, other FROM problems ORDER BY line, code"
        for line, code, message, value, other in self.db.execute(query):
            yield line, RowProblem(code, message) if message is not None else conflict_problem(code, value, other)

    def count_rejected(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM incoming WHERE valid = 0").fetchone()[0]

    def _missing_query(self, columns: str) -> str:
        return (
            f"SELECT {columns} FROM stored s WHERE s.removed = 0 "
            "AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.voter_id = s.voter_id)"
        )

    def count_missing(self) -> int:
        return self.db.execute(self._missing_query("COUNT(*)")).fetchone()[0]

    def missing_sample(self, limit: int) -> list[str]:
        query = self._missing_query("s.voter_id") + " ORDER BY s.voter_id LIMIT ?"
        return [r[0] for r in self.db.execute(query, (limit,))]

    def missing(self) -> Iterator[StoredVoter]:
        for (payload,) in self.db.execute(self._missing_query("s.payload")):
            yield _stored_from_json(payload)

    def changes(self) -> Iterator[tuple[VoterRow, str, StoredVoter | None, str | None]]:
        """Valid rows in hash order, each with the stored voter's state (or None)."""
        query = """
            SELECT i.payload, i.fingerprint, s.payload, s.fingerprint
            FROM incoming i LEFT JOIN stored s USING (voter_id)
            WHERE i.valid = 1 ORDER BY i.fingerprint
        """
        for payload, fingerprint, stored_payload, stored_fingerprint in self.db.execute(query):
            data = json.loads(payload)
            data["ballot_ids"] = tuple(data["ballot_ids"])
            row = VoterRow(**data)
            stored = _stored_from_json(stored_payload) if stored_payload else None
            yield row, fingerprint, stored, stored_fingerprint


def _stored_from_json(payload: str) -> StoredVoter:
    data = json.loads(payload)
    data["ballot_ids"] = tuple(data["ballot_ids"])
    data["pending_entries"] = tuple(tuple(entry) for entry in data.get("pending_entries", ()))
    return StoredVoter(**data)
