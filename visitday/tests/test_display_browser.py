"""In Chromium, three pages at once: the kiosk, the clerk's counter, the waiting-room display; then the nurse.

The kiosk prints a ticket, the clerk's page calls it, the display shows it and asks the server
for its spoken announcement; then a patient checks in at the kiosk with the code of their slip,
the nurse's page calls them and the display shows and announces that call too.

Set SCREENSHOT_DIR to keep pictures of the display and the nurse's page (the README's).
"""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from conftest import PASSWORD, make_account
from facilities.models import FacilityMembership, FacilityRole
from queueing.desk.services import clerk_group_ensure
from queueing.models import BookingStatus, Task, TaskTime
from visitday.display.access import screen_group_ensure
from visitday.display.selectors import forget_snapshots
from visitday.kiosk.access import KIOSK_GROUP
from visitday.models import Call, PlaceKind
from visitday.tests.clinic_helpers import day_quota_of, make_nurse, session_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str, next_path: str) -> None:
    page.goto(f"{page.base_url}/akun/masuk/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action*='/akun/masuk/'] button[type=submit]")
    page.wait_for_url(f"{page.base_url}{next_path}")


@pytest.fixture
def open_page(browser, live_server):
    """A page with its own cookies (its own device), several open at once."""
    contexts = []

    def _open(width: int = 1280, height: int = 1024):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def accounts(facility):
    kiosk = make_account("apm@rsud.example", "Anjungan RSUD")
    kiosk.groups.add(Group.objects.get_or_create(name=KIOSK_GROUP)[0])
    FacilityMembership.objects.create(user=kiosk, facility=facility, role=FacilityRole.KIOSK)
    tv = make_account("layar@rsud.example", "Layar Ruang Tunggu")
    tv.groups.add(screen_group_ensure())
    FacilityMembership.objects.create(user=tv, facility=facility, role=FacilityRole.SCREEN)
    clerk = make_account("loket2@rsud.example", "Dewi Loket", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    return {"kiosk": kiosk, "tv": tv, "clerk": clerk, "nurse": make_nurse()}


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name))


def wait_for_voice(display, voice_requests: list[str], call_id: int, seconds: float = 10) -> None:
    """The announcement's WAV is fetched after the chime has played: wait for it, up to a deadline."""
    for _ in range(int(seconds * 5)):
        if any(url.endswith(f"/suara/{call_id}.wav") for url in voice_requests):
            return
        display.wait_for_timeout(200)
    raise AssertionError(f"no request for call {call_id}'s announcement: {voice_requests}")


def test_kiosk_counter_display_and_nurse_work_together(
    open_page, accounts, facility, lines, loket, book_today, member, today
):
    forget_snapshots()
    schedule = session_today(today)
    booking = book_today(member, schedule)
    assert booking.status == BookingStatus.VERIFIED

    display = open_page(1920, 1080)
    voice_requests: list[str] = []
    display.on("request", lambda request: voice_requests.append(request.url) if "/suara/" in request.url else None)
    sign_in(display, accounts["tv"].email, f"/layar/{facility.pk}/")
    if display.is_visible("#sound-on"):  # hidden at once where the browser allows sound without a touch
        display.click("#sound-on")  # once, as a person at the TV would
    assert display.is_hidden("#sound-on")

    # 1. The kiosk prints a ticket.
    kiosk = open_page()
    # Headless Chromium's PDF viewer crashes the tab now and then when the kiosk prints from its
    # hidden frame: the frame gets an empty page here, and the PDFs are fetched and checked below.
    printed: list[str] = []

    def blank_pdf(route):
        printed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="")

    kiosk.context.route("**/*.pdf", blank_pdf)
    sign_in(kiosk, accounts["kiosk"].email, "/anjungan/")
    kiosk.click("#kiosk-take")
    kiosk.click("button[data-line=A]")
    kiosk.wait_for_selector("#kiosk-ticket-label")
    label = kiosk.inner_text("#kiosk-ticket-label")
    assert label == "A-001"
    pdf_url = kiosk.get_attribute("iframe[data-print-frame]", "src")
    pdf = kiosk.request.get(f"{kiosk.base_url}{pdf_url}")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    expect(display.locator("#lines")).to_contain_text("A-001")

    # 2. The clerk's counter page calls it.
    desk = open_page()
    sign_in(desk, accounts["clerk"].email, "/panggilan/loket/")
    desk.select_option("#id_loket", str(loket.pk))
    desk.check(f"input[name=lines][value='{lines['A'].pk}']")
    desk.click("#loket-choice button[type=submit]")
    desk.click("#loket-next")
    desk.wait_for_selector("#loket-current-label")
    counter_call = Call.objects.get(place_kind=PlaceKind.COUNTER)

    # 3. The display shows it, without a reload, and asks for its announcement.
    expect(display.locator("#now-label")).to_have_text("A-001")
    assert display.inner_text("#now-place") == "Loket 2"
    assert "Loket 2" in display.inner_text("#places") and "A-001" in display.inner_text("#places")
    expect(display.locator("#display")).to_have_attribute("data-announced", str(counter_call.pk))
    wait_for_voice(display, voice_requests, counter_call.pk)
    voice = display.request.get(f"{display.base_url}/layar/{facility.pk}/suara/{counter_call.pk}.wav")
    assert voice.status == 200 and voice.body()[:4] == b"RIFF"

    # 4. A patient checks in at the kiosk with their slip's code (a barcode scanner types it).
    kiosk.goto(f"{kiosk.base_url}/anjungan/check-in/")
    kiosk.fill("#kiosk-code", booking.code)
    kiosk.click("#kiosk-checkin-submit")
    kiosk.wait_for_url(re.compile(r".*/anjungan/check-in/[A-Z0-9]+/$"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    expect(display.locator("#places")).to_contain_text(booking.label)

    # 5. The nurse's page calls them; the display shows and announces it.
    nurse = open_page()
    day_quota = day_quota_of(booking)
    sign_in(nurse, accounts["nurse"].email, f"/poli/sesi/{day_quota.pk}/")
    assert booking.label in nurse.inner_text("#waiting-list")
    nurse.click("#call-next")
    nurse.wait_for_selector(".nurse-called")
    assert nurse.get_attribute(".nurse-called", "data-label") == booking.label
    clinic_call = Call.objects.get(place_kind=PlaceKind.CLINIC)
    expect(display.locator("#now-label")).to_have_text(booking.label)
    assert display.inner_text("#now-place") == "Poli Gigi"
    expect(display.locator("#display")).to_have_attribute("data-announced", str(clinic_call.pk))
    wait_for_voice(display, voice_requests, clinic_call.pk)
    assert TaskTime.objects.filter(booking=booking, task_id=Task.CLINIC_SERVICE).exists()
    recent = display.inner_text("#recent")
    assert recent.index(booking.label) < recent.index("A-001")  # newest first
    shot(display, "display-tv-1920.png")
    shot(nurse, "nurse-clinic-1280.png")
