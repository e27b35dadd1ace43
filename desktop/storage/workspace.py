"""Repositories of the interview workspace (schema v8): objectives and who serves them, contact
sources, research notes, links, questions, interview records and ready drafts.

Every contact-facing list the interview workspace keeps, over the shared database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from desktop.domain.model import Objective
from desktop.domain.workspace import (
    ContactSource,
    Draft,
    InterviewRecord,
    Link,
    Question,
    SourceKind,
)
from desktop.storage.codec import from_iso, iso
from desktop.storage.database import Repository


def _strings(text: object) -> tuple[str, ...]:
    value = json.loads(str(text or "[]"))
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


class WorkspaceRepo(Repository):
    """The objectives, objective_contacts, contact_sources, research_notes, contact_links,
    questions, interviews and drafts tables."""

    # ------------------------------------------------------------- objectives
    def add_objective(self, objective: Objective) -> Objective:
        with self._database.transaction():
            cur = self._db.execute(
                "INSERT INTO objectives (title, titles, companies, industries) VALUES (?, ?, ?, ?)",
                (
                    objective.title,
                    json.dumps(list(objective.titles)),
                    json.dumps(list(objective.companies)),
                    json.dumps(list(objective.industries)),
                ),
            )
        return Objective(
            int(cur.lastrowid or 0),
            objective.title,
            objective.titles,
            objective.companies,
            objective.industries,
        )

    def update_objective(self, objective: Objective) -> None:
        if objective.id is None:
            raise ValueError("update_objective needs a stored objective")
        with self._database.transaction():
            self._db.execute(
                "UPDATE objectives SET title = ?, titles = ?, companies = ?, industries = ? "
                "WHERE id = ?",
                (
                    objective.title,
                    json.dumps(list(objective.titles)),
                    json.dumps(list(objective.companies)),
                    json.dumps(list(objective.industries)),
                    objective.id,
                ),
            )

    def delete_objective(self, objective_id: int) -> None:
        with self._database.transaction():
            self._db.execute("DELETE FROM objectives WHERE id = ?", (objective_id,))

    def objectives(self) -> list[Objective]:
        rows = self._db.execute(
            "SELECT id, title, titles, companies, industries FROM objectives ORDER BY id"
        ).fetchall()
        return [
            Objective(int(r[0]), str(r[1]), _strings(r[2]), _strings(r[3]), _strings(r[4]))
            for r in rows
        ]

    def set_contact_objectives(self, contact_id: int, objective_ids: Iterable[int]) -> None:
        """The objectives this contact serves (replacing the previous set)."""
        with self._database.transaction():
            self._db.execute("DELETE FROM objective_contacts WHERE contact_id = ?", (contact_id,))
            self._db.executemany(
                "INSERT INTO objective_contacts (objective_id, contact_id) VALUES (?, ?)",
                [(o, contact_id) for o in dict.fromkeys(objective_ids)],
            )

    def contact_objectives(self, contact_id: int) -> list[int]:
        rows = self._db.execute(
            "SELECT objective_id FROM objective_contacts WHERE contact_id = ? "
            "ORDER BY objective_id",
            (contact_id,),
        )
        return [int(r[0]) for r in rows]

    def objective_members(self) -> dict[int, set[int]]:
        """Each objective's contacts (objectives without any are present, empty)."""
        out: dict[int, set[int]] = {o.id: set() for o in self.objectives() if o.id is not None}
        for objective_id, contact_id in self._db.execute(
            "SELECT objective_id, contact_id FROM objective_contacts"
        ):
            out.setdefault(int(objective_id), set()).add(int(contact_id))
        return out

    # ---------------------------------------------------------------- sources
    def set_source(self, contact_id: int, source: ContactSource | None) -> None:
        with self._database.transaction():
            if source is None:
                self._db.execute("DELETE FROM contact_sources WHERE contact_id = ?", (contact_id,))
                return
            self._db.execute(
                "INSERT INTO contact_sources (contact_id, kind, article_title, article_url, "
                "article_source, detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (contact_id) DO "
                "UPDATE SET kind = excluded.kind, article_title = excluded.article_title, "
                "article_url = excluded.article_url, article_source = excluded.article_source, "
                "detail = excluded.detail",
                (
                    contact_id,
                    source.kind.value,
                    source.article_title,
                    source.article_url,
                    source.article_source,
                    source.detail,
                ),
            )

    _SOURCE_SQL = (
        "SELECT contact_id, kind, article_title, article_url, article_source, detail "
        "FROM contact_sources"
    )

    @staticmethod
    def _source(r: Sequence[object]) -> ContactSource:
        return ContactSource(SourceKind(str(r[1])), str(r[2]), str(r[3]), str(r[4]), str(r[5]))

    def source(self, contact_id: int) -> ContactSource | None:
        row = self._db.execute(self._SOURCE_SQL + " WHERE contact_id = ?", (contact_id,)).fetchone()
        return None if row is None else self._source(row)

    def sources(self) -> dict[int, ContactSource]:
        return {int(r[0]): self._source(r) for r in self._db.execute(self._SOURCE_SQL)}

    # --------------------------------------------------------- research, links
    def set_research(self, contact_id: int, markdown: str, now: datetime) -> None:
        with self._database.transaction():
            self._db.execute(
                "INSERT INTO research_notes (contact_id, markdown, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (contact_id) DO UPDATE SET markdown = excluded.markdown, "
                "updated_at = excluded.updated_at",
                (contact_id, markdown, iso(now)),
            )

    def research(self, contact_id: int) -> str:
        row = self._db.execute(
            "SELECT markdown FROM research_notes WHERE contact_id = ?", (contact_id,)
        ).fetchone()
        return "" if row is None else str(row[0])

    def set_links(self, contact_id: int, links: Sequence[Link]) -> None:
        with self._database.transaction():
            self._db.execute("DELETE FROM contact_links WHERE contact_id = ?", (contact_id,))
            self._db.executemany(
                "INSERT INTO contact_links (contact_id, position, url, title) VALUES (?, ?, ?, ?)",
                [(contact_id, i, link.url, link.title) for i, link in enumerate(links)],
            )

    def links(self, contact_id: int) -> list[Link]:
        rows = self._db.execute(
            "SELECT url, title FROM contact_links WHERE contact_id = ? ORDER BY position",
            (contact_id,),
        )
        return [Link(str(r[0]), str(r[1])) for r in rows]

    # -------------------------------------------------------------- questions
    def set_questions(self, contact_id: int, questions: Sequence[Question]) -> list[Question]:
        """Store the contact's whole list in this order (edits, additions, moves, removals)."""
        with self._database.transaction():
            self._db.execute("DELETE FROM questions WHERE contact_id = ?", (contact_id,))
            out = []
            for position, q in enumerate(questions):
                cur = self._db.execute(
                    "INSERT INTO questions (contact_id, position, text, checked) "
                    "VALUES (?, ?, ?, ?)",
                    (contact_id, position, q.text, int(q.checked)),
                )
                out.append(Question(int(cur.lastrowid or 0), q.text, q.checked))
        return out

    def questions(self, contact_id: int) -> list[Question]:
        rows = self._db.execute(
            "SELECT id, text, checked FROM questions WHERE contact_id = ? ORDER BY position",
            (contact_id,),
        )
        return [Question(int(r[0]), str(r[1]), bool(r[2])) for r in rows]

    def set_question_checked(self, question_id: int, checked: bool) -> None:
        with self._database.transaction():
            self._db.execute(
                "UPDATE questions SET checked = ? WHERE id = ?", (int(checked), question_id)
            )

    # ------------------------------------------------------------- interviews
    def save_interview(self, record: InterviewRecord) -> InterviewRecord:
        """Insert a new record, or update it when it has an id."""
        values = (
            iso(record.started_at),
            iso(record.ended_at),
            record.planned_minutes,
            record.notes,
            json.dumps(list(record.their_promises)),
            json.dumps(list(record.my_promises)),
            json.dumps(list(record.referrals)),
        )
        with self._database.transaction():
            if record.id is None:
                cur = self._db.execute(
                    "INSERT INTO interviews (started_at, ended_at, planned_minutes, notes, "
                    "their_promises, my_promises, referrals, contact_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, record.contact_id),
                )
                return InterviewRecord(
                    int(cur.lastrowid or 0),
                    record.contact_id,
                    record.started_at,
                    record.ended_at,
                    record.planned_minutes,
                    record.notes,
                    record.their_promises,
                    record.my_promises,
                    record.referrals,
                )
            self._db.execute(
                "UPDATE interviews SET started_at = ?, ended_at = ?, planned_minutes = ?, "
                "notes = ?, their_promises = ?, my_promises = ?, referrals = ? WHERE id = ?",
                (*values, record.id),
            )
        return record

    def interviews(self, contact_id: int | None = None) -> list[InterviewRecord]:
        """A contact's interview records (or everyone's), oldest first."""
        sql = (
            "SELECT id, contact_id, started_at, ended_at, planned_minutes, notes, "
            "their_promises, my_promises, referrals FROM interviews"
        )
        rows = (
            self._db.execute(sql + " ORDER BY started_at, id")
            if contact_id is None
            else self._db.execute(
                sql + " WHERE contact_id = ? ORDER BY started_at, id", (contact_id,)
            )
        )
        out = []
        for r in rows:
            started = from_iso(str(r[2]))
            assert started is not None
            out.append(
                InterviewRecord(
                    int(r[0]),
                    int(r[1]),
                    started,
                    from_iso(r[3]),
                    int(r[4]),
                    str(r[5]),
                    _strings(r[6]),
                    _strings(r[7]),
                    _strings(r[8]),
                )
            )
        return out

    # ----------------------------------------------------------------- drafts
    def add_draft(self, draft: Draft) -> Draft:
        with self._database.transaction():
            cur = self._db.execute(
                "INSERT INTO drafts (contact_id, template, subject, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    draft.contact_id,
                    draft.template,
                    draft.subject,
                    draft.body,
                    iso(draft.created_at),
                ),
            )
        return Draft(
            int(cur.lastrowid or 0),
            draft.contact_id,
            draft.template,
            draft.subject,
            draft.body,
            draft.created_at,
        )

    def drafts(self, contact_id: int) -> list[Draft]:
        rows = self._db.execute(
            "SELECT id, template, subject, body, created_at FROM drafts WHERE contact_id = ? "
            "ORDER BY id",
            (contact_id,),
        )
        out = []
        for r in rows:
            at = from_iso(str(r[4])) or datetime.now(UTC)
            out.append(Draft(int(r[0]), contact_id, str(r[1]), str(r[2]), str(r[3]), at))
        return out

    def delete_draft(self, draft_id: int) -> None:
        with self._database.transaction():
            self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
