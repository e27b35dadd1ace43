"""Pipeline events: each contact's state, the events that made it, its stage changes
(history, undo, replay) and the user's corrections of what a message is."""

from __future__ import annotations

import json
from itertools import pairwise

from desktop.domain.model import ContactState, Event, EventKind, Evidence, Stage, Transition
from desktop.domain.pipeline import Step, apply
from desktop.storage.codec import from_iso, iso, state_from_json, state_to_json
from desktop.storage.database import Repository
from desktop.storage.records import HistoryEntry, event_from_row, utc_now


class PipelineRepo(Repository):
    """The events and transitions tables, and the state column of contacts."""

    def state(self, contact_id: int) -> ContactState:
        row = self._db.execute("SELECT state FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise KeyError(contact_id)
        return state_from_json(str(row[0]))

    def has_event(self, contact_id: int, key: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM events WHERE contact_id = ? AND key = ?", (contact_id, key)
        ).fetchone()
        return row is not None

    def apply(self, contact_id: int, event: Event) -> Step | None:
        """Feed an event to the contact's stage machine and store the outcome atomically.

        Returns None when the event was already recorded (same key): replaying a sync pass is safe.
        """
        with self._database.transaction():
            if self.has_event(contact_id, event.key):
                return None
            step = apply(self.state(contact_id), event)
            payload = {
                "away_until": event.away_until.isoformat() if event.away_until else None,
                "bounced": list(event.bounced_addresses),
                "meeting_start": iso(event.meeting_start),
                "meeting_end": iso(event.meeting_end),
                "target_stage": event.target_stage.value if event.target_stage else None,
            }
            cur = self._db.execute(
                "INSERT INTO events (contact_id, key, kind, at, summary, detail, message_key, "
                "payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact_id,
                    event.key,
                    event.kind.value,
                    iso(event.at),
                    event.evidence.summary,
                    event.evidence.detail,
                    event.evidence.message_key,
                    json.dumps({k: v for k, v in payload.items() if v}),
                    iso(utc_now()),
                ),
            )
            event_id = int(cur.lastrowid or 0)
            if step.transition is not None:
                self._insert_transition(contact_id, event_id, step.transition)
            self._write_state(contact_id, step.state)
        return step

    def _insert_transition(self, contact_id: int, event_id: int, t: Transition) -> None:
        self._db.execute(
            "INSERT INTO transitions (contact_id, event_id, from_stage, to_stage, at, before) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                contact_id,
                event_id,
                t.from_stage.value,
                t.to_stage.value,
                iso(t.at),
                state_to_json(t.before),
            ),
        )

    def _write_state(self, contact_id: int, state: ContactState) -> None:
        self._db.execute(
            "UPDATE contacts SET stage = ?, state = ?, updated_at = ? WHERE id = ?",
            (state.stage.value, state_to_json(state), iso(utc_now()), contact_id),
        )

    def undo_last(self, contact_id: int) -> HistoryEntry | None:
        """Undo the contact's latest stage change.

        The state is rebuilt by replaying the contact's events without the undone ones, so what
        later events did without changing the stage (an away date, a follow-up count) is kept.
        """
        with self._database.transaction():
            row = self._db.execute(
                "SELECT id FROM transitions WHERE contact_id = ? AND undone_at IS NULL "
                "ORDER BY id DESC LIMIT 1",
                (contact_id,),
            ).fetchone()
            if row is None:
                return None
            self._db.execute(
                "UPDATE transitions SET undone_at = ? WHERE id = ?", (iso(utc_now()), row[0])
            )
            self._write_state(contact_id, self.replayed_state(contact_id))
        return next(h for h in self.history(contact_id) if h.transition_id == row[0])

    def replayed_state(self, contact_id: int) -> ContactState:
        """The contact's state from its kept events, in the order they happened."""
        rows = self._db.execute(
            "SELECT e.kind, e.at, e.summary, e.detail, e.message_key, e.key, e.payload "
            "FROM events e WHERE e.contact_id = ? AND NOT EXISTS (SELECT 1 FROM transitions t "
            "WHERE t.event_id = e.id AND t.undone_at IS NOT NULL) ORDER BY e.at, e.id",
            (contact_id,),
        ).fetchall()
        state = ContactState()
        for r in rows:
            state = apply(state, event_from_row(r)).state
        return state

    def reorder(self, contact_id: int) -> bool:
        """After events were recorded out of the order they happened (the history pass reads
        the past after live mail was seen): the state from the events in time order. True when
        the state changed."""
        rows = self._db.execute(
            "SELECT at FROM events WHERE contact_id = ? ORDER BY id", (contact_id,)
        ).fetchall()
        times = [from_iso(r[0]) for r in rows]
        if all(a is not None and b is not None and a <= b for a, b in pairwise(times)):
            return False
        with self._database.transaction():
            before = self.state(contact_id)
            after = self.replayed_state(contact_id)
            if after == before:
                return False
            self._write_state(contact_id, after)
        return True

    def history(self, contact_id: int) -> list[HistoryEntry]:
        rows = self._db.execute(
            "SELECT e.id, e.kind, e.at, e.summary, e.detail, e.message_key, t.from_stage, "
            "t.to_stage, t.id, t.undone_at FROM events e LEFT JOIN transitions t "
            "ON t.event_id = e.id WHERE e.contact_id = ? ORDER BY e.at, e.id",
            (contact_id,),
        ).fetchall()
        out = []
        for r in rows:
            at = from_iso(r[2])
            assert at is not None
            out.append(
                HistoryEntry(
                    event_id=int(r[0]),
                    kind=EventKind(r[1]),
                    at=at,
                    evidence=Evidence(r[3], r[4], r[5]),
                    from_stage=Stage(r[6]) if r[6] else None,
                    to_stage=Stage(r[7]) if r[7] else None,
                    transition_id=r[8],
                    undone=r[9] is not None,
                )
            )
        return out

    def event_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    def states_in_stage(self, stage: Stage) -> list[tuple[int, ContactState]]:
        rows = self._db.execute("SELECT id, state FROM contacts WHERE stage = ?", (stage.value,))
        return [(int(r[0]), state_from_json(str(r[1]))) for r in rows]

    # ------------------------------------------------------------ corrections
    def replace_message_event(
        self, contact_id: int, message_key: str, kind: str, event: Event | None
    ) -> Transition | None:
        """The user corrected what a message is: its old event goes, the corrected one (if
        any) takes its place, and the contact's state is replayed. Returns the stage change."""
        account, _, provider_id = message_key.partition(":")
        with self._database.transaction():
            before = self.state(contact_id)
            self._db.execute(
                "DELETE FROM events WHERE contact_id = ? AND message_key = ?",
                (contact_id, message_key),
            )
            self._db.execute(
                "UPDATE messages SET kind = ?, evidence = ? WHERE account_id = ? AND "
                "provider_id = ?",
                (kind, "your correction", account, provider_id),
            )
            event_id = None
            if event is not None:
                cur = self._db.execute(
                    "INSERT INTO events (contact_id, key, kind, at, summary, detail, message_key, "
                    "payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?)",
                    (
                        contact_id,
                        event.key,
                        event.kind.value,
                        iso(event.at),
                        event.evidence.summary,
                        event.evidence.detail,
                        message_key,
                        iso(utc_now()),
                    ),
                )
                event_id = int(cur.lastrowid or 0)
            after = self.replayed_state(contact_id)
            transition = None
            if after.stage is not before.stage and event is not None and event_id is not None:
                transition = Transition(
                    before.stage, after.stage, event.at, event.evidence, event.key, before
                )
                self._insert_transition(contact_id, event_id, transition)
            self._write_state(contact_id, after)
        return transition

    # ------------------------------------------------------- for the analytics
    def all_events(self) -> list[tuple[int, Event]]:
        """Every event of every contact, in time order (undone stage changes included: the
        event still happened)."""
        rows = self._db.execute(
            "SELECT kind, at, summary, detail, message_key, key, payload, contact_id "
            "FROM events ORDER BY at, id"
        ).fetchall()
        return [(int(r[7]), event_from_row(r)) for r in rows]
