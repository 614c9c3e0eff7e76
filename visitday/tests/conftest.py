"""Visit-day fixtures: a facility's ticket lines and counters, on top of queueing's hospital."""

from __future__ import annotations

import pytest

from facilities.models import default_facility
from queueing.tests.conftest import *  # noqa: F403 - queueing's fixtures (clinics, members, guarantors)
from queueing.tests.desk_helpers import book_today, desk_clerk, gigi_today, today  # noqa: F401 - fixtures
from visitday.models import LineSettings, Loket, TicketLine


@pytest.fixture
def facility(db):
    return default_facility()


@pytest.fixture
def lines(facility) -> dict[str, TicketLine]:
    """The RSUD's three lines: A Umum, B BPJS, P priority."""
    return {
        "A": TicketLine.objects.create(facility=facility, letter="A", name="Pendaftaran Umum / Jaminan Lain"),
        "B": TicketLine.objects.create(facility=facility, letter="B", name="Antrian BPJS", sort_order=1),
        "P": TicketLine.objects.create(facility=facility, letter="P", name="Prioritas", priority=True, sort_order=2),
    }


@pytest.fixture
def loket(facility, lines) -> Loket:
    loket = Loket.objects.create(facility=facility, name="Loket 2")
    loket.lines.set(lines.values())
    return loket


@pytest.fixture
def ratio(facility):
    """Set the facility's regular-per-priority ratio."""

    def _set(n: int) -> None:
        LineSettings.objects.update_or_create(facility=facility, defaults={"regular_per_priority": n})

    return _set


@pytest.fixture
def kiosk_user(facility):
    """The RSUD's kiosk device: in the "Anjungan" group with a kiosk membership."""
    from django.contrib.auth.models import Group

    from conftest import make_account
    from facilities.models import FacilityMembership, FacilityRole
    from visitday.kiosk.access import KIOSK_GROUP

    user = make_account("kiosk@rsud.example", "Anjungan RSUD")
    user.groups.add(Group.objects.get_or_create(name=KIOSK_GROUP)[0])
    FacilityMembership.objects.create(user=user, facility=facility, role=FacilityRole.KIOSK)
    return user


@pytest.fixture
def kiosk_client(client, kiosk_user):
    client.force_login(kiosk_user)  # sends user_logged_in: the session is marked as a kiosk's
    return client


def pdf_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))
