"""What the waiting-room display shows, and the cheap version number that tells a screen nothing changed.

A screen polls every 1.5 s and most polls find nothing new. `display_snapshot` answers them from
a per-process snapshot of the state (its ETag is a keyed hash of the JSON): younger than MIN_AGE it
is used as it is, otherwise one query of index probes (the newest call of the facility, the
newest ticket, the newest booking event) tells whether anything may have changed, and only then
is `display_state` built again (a dozen queries). The marks also change every REFRESH_SECONDS,
so a change that leaves none of them (a ticket moved to another line, a counter renamed)
reaches the screens within that time anyway.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from facilities.models import Facility
from facilities.selectors import active_facility
from queueing.models import BookingEvent
from visitday import voice
from visitday.models import Call, Loket, PlaceKind, Ticket, TicketLine, TicketStatus
from visitday.nurse.selectors import session_queues, sessions_today
from visitday.words import call_phrase

REFRESH_SECONDS = 60
MIN_AGE = 0.5  # seconds: new calls still show within one poll interval + this (< 2 s)
RECENT_CALLS = 8
NEXT_SHOWN = 3


@dataclass(frozen=True)
class Scope:
    """Which places one screen shows: all (None) or only some counters and clinics."""

    lokets: frozenset[int] | None = None
    clinics: frozenset[int] | None = None

    @property
    def key(self) -> str:
        def part(ids):
            return "*" if ids is None else ",".join(map(str, sorted(ids)))

        return f"l{part(self.lokets)}c{part(self.clinics)}"

    def shows_loket(self, loket_id: int | None) -> bool:
        return self.lokets is None or loket_id in self.lokets

    def shows_clinic(self, clinic_id: int | None) -> bool:
        return self.clinics is None or clinic_id in self.clinics


def _is_id(text: str) -> bool:
    # ASCII digits only: "²" passes str.isdigit() but not int(), and a huge number is no id.
    return text.isascii() and text.isdigit() and len(text) <= 9


def scope_from_query(query) -> Scope:
    """`?loket=1&loket=2&poli=3`: those places only; `?tempat=loket` / `?tempat=poli`: one kind only.

    Anything unreadable is ignored (a screen's URL is typed once, by hand, on a TV remote).
    """

    def ids(name: str) -> frozenset[int] | None:
        values = {int(v) for v in query.getlist(name) for v in v.split(",") if _is_id(v.strip())}
        return frozenset(values) if values else None

    lokets, clinics = ids("loket"), ids("poli")
    kind = query.get("tempat")
    if lokets is not None and clinics is None:
        clinics = frozenset()
    elif clinics is not None and lokets is None:
        lokets = frozenset()
    if kind == "loket" and clinics is None:
        clinics = frozenset()
    elif kind == "poli" and lokets is None:
        lokets = frozenset()
    return Scope(lokets=lokets, clinics=clinics)


def _marks(facility: Facility, now: float) -> tuple:
    """What moves when anything the screen shows may have changed: one query of three index probes."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {Call._meta.db_table} WHERE facility_id = %s),"  # noqa: S608 - table names from models
            f" (SELECT MAX(id) FROM {Ticket._meta.db_table}),"
            f" (SELECT MAX(id) FROM {BookingEvent._meta.db_table})",
            [facility.pk],
        )
        marks = cursor.fetchone()
    return (*marks, facility.local_today(), int(now // REFRESH_SECONDS), voice.espeak_path() is not None)


@dataclass
class Snapshot:
    marks: tuple
    made: float  # time.monotonic() when built
    etag: str
    body: bytes


# Per process: (facility id, scope key) -> the last state built. Bounded: a scope comes from the URL.
_SNAPSHOTS: dict[tuple[int, str], Snapshot] = {}
MAX_SNAPSHOTS = 64


def display_snapshot(facility: Facility, scope: Scope) -> Snapshot:
    """The screen's state as JSON with its ETag (a hash of the JSON), built at most every MIN_AGE seconds.

    Fifty screens share one build: a poll within MIN_AGE of the last build costs no query at all,
    a later one one query (the marks); the state is rebuilt only when the marks moved. Marks move
    for more than the screen shows (a booking event anywhere, a ticket at another facility): then
    the rebuilt JSON hashes the same and the screens still get their 304.
    """
    key = (facility.pk, scope.key)
    now = time.monotonic()
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is not None and now - snapshot.made < MIN_AGE:
        return snapshot
    marks = _marks(facility, time.time())
    if snapshot is not None and snapshot.marks == marks:
        snapshot.made = now
        return snapshot
    body = json.dumps(display_state(facility, scope), separators=(",", ":")).encode()
    etag = _etag(facility.pk, scope, body)
    if len(_SNAPSHOTS) >= MAX_SNAPSHOTS:
        _SNAPSHOTS.clear()
    snapshot = _SNAPSHOTS[key] = Snapshot(marks=marks, made=now, etag=etag, body=body)
    return snapshot


def _etag(facility_id: int, scope: Scope, body: bytes) -> str:
    """A keyed hash (SECRET_KEY) of the facility, the scope and the state.

    Keyed, so that only a browser that was sent the state by the checked view can present it:
    `unchanged_snapshot` answers such a browser's unchanged poll before any session is read.
    """
    value = f"{facility_id}|{scope.key}|".encode() + body
    return '"' + salted_hmac("visitday.display.etag", value, algorithm="sha256").hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether a request's If-None-Match header names this ETag (the one rule for the display's 304s)."""
    return any(constant_time_compare(tag.strip(), etag) for tag in if_none_match.split(","))


def unchanged_snapshot(facility_id: int, query, if_none_match: str) -> Snapshot | None:
    """The current snapshot when the poll's ETag is still its ETag; None when the full view must answer.

    Called before the session is read (visitday.display.middleware). A poll that presents an ETag
    this process did not hand out goes on to the checked view, so a stranger's guess costs no
    query. One whose snapshot is older than MIN_AGE pays the marks query, as any screen would.
    """
    scope = scope_from_query(query)
    snapshot = _SNAPSHOTS.get((facility_id, scope.key))
    if snapshot is None or not etag_matches(if_none_match, snapshot.etag):
        return None
    if time.monotonic() - snapshot.made >= MIN_AGE:
        facility = active_facility(facility_id)
        if facility is None:
            return None
        snapshot = display_snapshot(facility, scope)
        if not etag_matches(if_none_match, snapshot.etag):
            return None
    return snapshot


def forget_snapshots() -> None:
    _SNAPSHOTS.clear()


def _day_start(facility: Facility, today: dt.date) -> dt.datetime:
    return facility.make_aware(dt.datetime.combine(today, dt.time.min))


def _call_json(call: Call, speak: bool) -> dict:
    return {
        "id": call.pk,
        "label": call.label,
        "place": call.place_name,
        "detail": call.detail,
        "kind": call.kind,
        "time": timezone.localtime(call.at, call.facility.tzinfo).strftime("%H:%M"),
        "text": call_phrase(label=call.label, place=call.place_name, doctor=call.detail),
        "audio": reverse("visitday_display:voice", args=[call.facility_id, call.pk]) if speak else None,
    }


def _lines(facility: Facility, today: dt.date, lokets: list[Loket] | None) -> list[dict]:
    """Each ticket line's next numbers (in the order printed; a moved ticket keeps its time)."""
    lines = TicketLine.objects.filter(facility=facility, active=True)
    if lokets is not None:
        lines = lines.filter(lokets__in=lokets).distinct()
    waiting: dict[int, list[str]] = {}
    counts: dict[int, int] = {}
    tickets = Ticket.objects.filter(facility=facility, date=today, status=TicketStatus.WAITING)
    for line_id, label in tickets.order_by("taken_at", "pk").values_list("line_id", "label"):
        counts[line_id] = counts.get(line_id, 0) + 1
        if len(waiting.setdefault(line_id, [])) < NEXT_SHOWN:
            waiting[line_id].append(label)
    return [
        {"letter": line.letter, "name": line.name, "next": waiting.get(line.pk, []), "waiting": counts.get(line.pk, 0)}
        for line in lines
    ]


def display_state(facility: Facility, scope: Scope) -> dict:
    """Everything one screen shows: each place's number, who is next, the last calls."""
    today = facility.local_today()
    since = _day_start(facility, today)
    speak = voice.espeak_path() is not None
    calls_today = Call.objects.filter(facility=facility, at__gte=since).select_related("facility")

    counters, lines = [], []
    lokets = [lk for lk in Loket.objects.filter(facility=facility, active=True) if scope.shows_loket(lk.pk)]
    if lokets:
        latest: dict[int, Call] = {}
        for call in calls_today.filter(place_kind=PlaceKind.COUNTER, loket__in=lokets).order_by("-id")[:200]:
            latest.setdefault(call.loket_id, call)
        counters = [
            {
                "name": lk.name,
                "label": latest[lk.pk].label if lk.pk in latest else "",
                "call_id": latest[lk.pk].pk if lk.pk in latest else 0,
            }
            for lk in lokets
        ]
        lines = _lines(facility, today, None if scope.lokets is None else lokets)

    clinics = []
    if scope.clinics is None or scope.clinics:
        day_quotas = [dq for dq in sessions_today(facility, today) if scope.shows_clinic(dq.schedule.clinic_id)]
        queues = session_queues(day_quotas, with_patients=False)
        for dq in day_quotas:
            queue = queues[dq.pk]
            if not (queue.last_label or queue.waiting or queue.in_service):
                continue  # a session nobody has checked in to yet stays off the screen
            clinics.append(
                {
                    "name": queue.clinic.name,
                    "detail": queue.detail,
                    "label": queue.last_label,
                    "call_id": queue.last_call_id,
                    "next": [entry.booking.label for entry in queue.waiting[:NEXT_SHOWN]],
                    "waiting": len(queue.waiting),
                }
            )

    recent = []
    for call in calls_today.order_by("-id")[:100]:
        if (call.place_kind == PlaceKind.COUNTER and scope.shows_loket(call.loket_id)) or (
            call.place_kind == PlaceKind.CLINIC and scope.shows_clinic(call.clinic_id)
        ):
            recent.append(_call_json(call, speak))
            if len(recent) == RECENT_CALLS:
                break
    return {
        "facility": facility.name,
        "date": today.isoformat(),
        "speech": speak,
        "counters": counters,
        "lines": lines,
        "clinics": clinics,
        "recent": recent,
        "latest_id": max((c["id"] for c in recent), default=0),
    }
