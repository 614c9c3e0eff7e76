"""Booking wizard state held in the session, one entry per wizard so two tabs do not clash.

The wizard id in the URL is also the confirm form's idempotency token: a double-clicked
"Yes, book" carries the same token twice and gets the same booking back.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "queueing_wizards"
MAX_WIZARDS = 20  # oldest dropped first; keeps the session small
# "facility" (seed 002 step 1) is answered by booking_start when the deployment has one facility.
STEPS = ("facility", "member", "date", "guarantor", "clinic", "doctor", "confirm")
# What each step writes.
STEP_KEYS = {
    "facility": ("facility",),
    "member": ("patient",),
    "date": ("date",),
    "guarantor": ("guarantor", "card_number", "referral_number", "switched_from"),
    "clinic": ("clinic",),
    "doctor": ("schedule",),
}
# A changed answer clears only the answers that depend on it: a card number belongs to one
# person, a schedule to one weekday and clinic. Other answers are checked again when used.
CLEARS = {
    "facility": ("clinic", "schedule"),
    "member": STEP_KEYS["guarantor"] + ("pending_switch",),
    "date": ("schedule",),
    "guarantor": (),
    "clinic": ("schedule",),
    "doctor": (),
}


# The eligibility answer kept with the wizard is used again only for the same member, date,
# guarantor, card and referral. A "BPJS could not be asked" answer is also reused for another
# clinic for a short while, so an outage makes the person wait once, not at every step.
CHECK_INPUTS = ("patient", "date", "guarantor", "card_number", "referral_number")
UNVERIFIED_REUSE_SECONDS = 120
# Set once every answer is in, and never cleared: only such a wizard can have made a booking
# (the confirm POST needs every answer), so only such a wizard costs the steps a query to ask.
COMPLETE_KEY = "complete"


class Wizard:
    def __init__(self, session: SessionBase, wid: str, data: dict[str, Any]) -> None:
        self.session, self.id, self.data = session, wid, data

    @property
    def token(self) -> uuid.UUID:
        return uuid.UUID(self.id)

    @classmethod
    def start(cls, session: SessionBase, **prefill: Any) -> Wizard:
        wizards = dict(session.get(SESSION_KEY, {}))
        while len(wizards) >= MAX_WIZARDS:
            wizards.pop(min(wizards, key=lambda k: wizards[k].get("t", 0)))
        wid = uuid.uuid4().hex
        wizards[wid] = {"t": time.time(), **prefill}
        wizard = cls(session, wid, wizards[wid])
        wizard._note_complete()
        session[SESSION_KEY] = wizards
        return wizard

    @classmethod
    def load(cls, session: SessionBase, wid: str) -> Wizard | None:
        data = session.get(SESSION_KEY, {}).get(wid)
        return cls(session, wid, data) if data is not None else None

    def first_missing_step(self) -> str:
        for step, keys in STEP_KEYS.items():
            if keys[0] not in self.data:
                return step
        return "confirm"

    def may_have_booked(self) -> bool:
        """Whether this wizard ever had every answer, i.e. whether its token may have made a booking."""
        return bool(self.data.get(COMPLETE_KEY)) or self.first_missing_step() == "confirm"

    def _note_complete(self) -> None:
        if self.first_missing_step() == "confirm":
            self.data[COMPLETE_KEY] = True

    def reachable(self, step: str) -> bool:
        return STEPS.index(step) <= STEPS.index(self.first_missing_step())

    def save_step(self, step: str, values: dict[str, Any]) -> None:
        changed = any(self.data.get(k) != values.get(k) for k in STEP_KEYS[step])
        self.data.update(values)
        if changed:
            for key in CLEARS[step]:
                self.data.pop(key, None)
        self._store()

    def forget(self, *keys: str) -> None:
        for key in keys:
            self.data.pop(key, None)
        self._store()

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value
        self._store()

    def remember_check(self, check: dict[str, Any], *, verified: bool, clinic_id: int | None) -> None:
        """Keep an eligibility answer (as stored on the booking) for the current answers."""
        self.put(
            "guarantor_check",
            {
                "inputs": [self.data.get(k) for k in CHECK_INPUTS],
                "clinic": clinic_id,
                "verified": verified,
                "check": check,
                "t": time.time(),
            },
        )

    def stored_check(self, *, clinic_id: int | None, clinic_matters: bool) -> dict[str, Any] | None:
        """The answer kept for the current answers (and clinic, where the referral's clinic matters), or None."""
        entry = self.data.get("guarantor_check")
        if not entry or entry["inputs"] != [self.data.get(k) for k in CHECK_INPUTS]:
            return None
        if not clinic_matters or entry["clinic"] == clinic_id:
            return entry
        recent = time.time() - entry["t"] < UNVERIFIED_REUSE_SECONDS
        return entry if recent and entry["check"].get("status") == "unverified" else None

    def _store(self) -> None:
        self._note_complete()
        wizards = dict(self.session.get(SESSION_KEY, {}))
        wizards[self.id] = self.data
        self.session[SESSION_KEY] = wizards
