"""In Chromium: the kiosk prints a ticket, the clerk's page calls it; the kiosk goes back to its start when idle."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from conftest import PASSWORD, make_account
from facilities.models import FacilityMembership, FacilityRole
from queueing.desk.services import clerk_group_ensure
from visitday.kiosk.access import KIOSK_GROUP
from visitday.models import Call, Ticket, TicketStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str, next_path: str) -> None:
    page.goto(f"{page.base_url}/akun/masuk/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action*='/akun/masuk/'] button[type=submit]")
    page.wait_for_url(f"{page.base_url}{next_path}")


@pytest.fixture
def kiosk_account(facility):
    user = make_account("apm@rsud.example", "Anjungan RSUD")
    user.groups.add(Group.objects.get_or_create(name=KIOSK_GROUP)[0])
    FacilityMembership.objects.create(user=user, facility=facility, role=FacilityRole.KIOSK)
    return user


@pytest.fixture
def screen(browser, live_server):
    """A kiosk- or desk-sized page of its own (own cookies), several open at once."""
    contexts = []

    def _open():
        context = browser.new_context(viewport={"width": 1280, "height": 1024}, locale="id-ID")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()


def test_the_kiosk_prints_a_ticket_and_the_counter_calls_it(screen, kiosk_account, lines, loket):
    kiosk = screen()
    sign_in(kiosk, kiosk_account.email, "/anjungan/")
    kiosk.click("#kiosk-take")
    kiosk.click("button[data-line=A]")
    kiosk.wait_for_selector("#kiosk-ticket-label")
    assert kiosk.inner_text("#kiosk-ticket-label") == "A-001"
    pdf_url = kiosk.get_attribute("iframe[data-print-frame]", "src")
    pdf = kiosk.request.get(f"{kiosk.base_url}{pdf_url}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"

    clerk = make_account("loket2@rsud.example", "Dewi Loket", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    desk = screen()
    sign_in(desk, clerk.email, "/panggilan/loket/")
    desk.select_option("#id_loket", str(loket.pk))
    desk.check(f"input[name=lines][value='{lines['A'].pk}']")
    desk.click("#loket-choice button[type=submit]")
    desk.click("#loket-next")
    desk.wait_for_selector("#loket-current-label")
    assert desk.inner_text("#loket-current-label") == "A-001"
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CALLED and Call.objects.get().place_name == "Loket 2"
    desk.click("button[data-action=recall]")
    desk.wait_for_selector("#loket-current-label")
    assert Call.objects.count() == 2


def test_the_kiosk_goes_back_to_its_start_when_nobody_touches_it(screen, kiosk_account, lines, settings):
    settings.KIOSK_IDLE_SECONDS = 2
    kiosk = screen()
    sign_in(kiosk, kiosk_account.email, "/anjungan/")
    kiosk.click("#kiosk-checkin")
    kiosk.wait_for_url(f"{kiosk.base_url}/anjungan/check-in/")
    kiosk.click("[data-key=K]")
    kiosk.click("[data-key='7']")
    assert kiosk.input_value("#kiosk-code") == "K7"
    kiosk.wait_for_url(f"{kiosk.base_url}/anjungan/", timeout=10_000)
