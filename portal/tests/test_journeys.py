"""Seed 000 A-J (H included) and the clerk's verify/reject in Chromium, on two phones and a desktop screen.

On every patient page: axe-core finds no serious or critical violation, the console shows no
error and no request fails. Screens: 390x844 (a common phone), 360x740 (a small Android), 1366x768.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.tests.test_browser import fill_signup
from conftest import PASSWORD, make_account
from families.models import AccountPatient
from families.tests.conftest import form_data, make_patient
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from queueing import services
from queueing.desk.services import clerk_group_ensure
from queueing.models import Booking, BookingMode, BookingSettings, BookingStatus
from queueing.tests.conftest import make_member, make_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone-390": (390, 844), "phone-360": (360, 740), "desktop": (1366, 768)}
TEXT_FIELDS = [
    "full_name",
    "birth_place",
    "mother_name",
    "address_street",
    "address_rt",
    "address_rw",
    "address_village",
    "address_district",
    "address_regency",
    "phone",
    "nik",
    "kk_number",
]
SELECTS = [
    "relationship",
    "sex",
    "address_province",
    "religion",
    "blood_type",
    "marital_status",
    "education",
    "occupation",
]


class Watch:
    """Console errors, failed requests and axe findings of one browser page, checked after each step."""

    def __init__(self, page) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page, self.axe, self.problems, self.pages = page, Axe(), [], []
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.problems.append(f"script: {exc}"))
        # ERR_ABORTED is a request the browser dropped because the page moved on (a favicon
        # still loading when a form is sent), not a request that failed.
        page.on(
            "requestfailed",
            lambda req: (
                "ERR_ABORTED" not in (req.failure or "") and self.problems.append(f"failed: {req.url} {req.failure}")
            ),
        )
        page.on("response", lambda res: res.status >= 400 and self.problems.append(f"{res.status}: {res.url}"))

    def check(self, label: str) -> None:
        """axe on the page as it is now; serious and critical findings fail the journey."""
        self.page.wait_for_load_state()
        result = self.axe.run(self.page)
        bad = [
            f"{label} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        self.problems.extend(bad)
        self.pages.append(label)
        assert self.page.evaluate("document.documentElement.scrollWidth") <= self.page.viewport_size["width"], (
            f"{label} scrolls sideways"
        )


def submit(page, form: str = "main form") -> None:
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


def log_out(page) -> None:
    if page.locator(".navbar-toggler").is_visible():  # phones: the menu opens first
        page.click(".navbar-toggler")
    page.click("form[action$='/akun/keluar/'] button")
    page.wait_for_load_state()


@pytest.fixture
def hospital(db):
    """Seeded guarantor types, booking settings and a dental clinic practising every day."""
    ensure_types(GuarantorType)
    BookingSettings.load()
    return {"gigi": make_schedule("GIGI", "drg. Rina Kusumawati")}


@pytest.mark.parametrize("screen", SCREENS)
def test_seed_000_a_to_j_on_every_screen(browser, live_server, hospital, screen):
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    context.set_default_timeout(20_000)
    page = context.new_page()
    base, watch = live_server.url, Watch(page)
    existing = make_patient(
        full_name="Siti Aminah", mrn="00012350", birth_date=dt.date(1958, 8, 17), sex="P", nik="3302025708580001"
    )
    # Ayu was treated before, registered on paper without a NIK: her old record waits for step H.
    old_record = make_patient(full_name="Ayu Lestari", mrn="00012360", birth_date=dt.date(1990, 5, 17), sex="P", nik="")

    # A. the website; B. sign up (a refusal first, then the account)
    page.goto(f"{base}/")
    watch.check("A home")
    page.goto(f"{base}/akun/daftar/")
    watch.check("B sign-up")
    fill_signup(page, phone="12")
    submit(page)
    watch.check("B sign-up refused")
    page.fill("#id_phone", "0857-1234-5678")
    page.fill("#id_password1", "bunga-melati-putih-5")
    page.fill("#id_password2", "bunga-melati-putih-5")
    submit(page)
    page.wait_for_url("**/daftar/terkirim/")
    watch.check("B sign-up sent")
    page.goto(base + re.search(r"/akun/konfirmasi-email/[^\s]+", mail.outbox[-1].body).group(0))
    watch.check("B e-mail confirmed")
    log_out(page)  # the browser that signed up is signed in by the confirmation

    # D. forgotten password; C. log in
    page.goto(f"{base}/akun/lupa-password/")
    watch.check("D forgotten password")
    page.fill("#id_email", "ayu@example.com")
    submit(page)
    watch.check("D reset sent")
    page.goto(f"{base}/akun/masuk/")
    watch.check("C log in")
    page.fill("input[name=username]", "ayu@example.com")
    page.fill("input[name=password]", "bunga-melati-putih-5")
    page.click("form[action$='/akun/masuk/'] button[type=submit]")
    page.wait_for_url(f"{base}/beranda/")

    # E. a new patient (herself)
    page.click("#add-member")
    watch.check("E new member")
    data = form_data(
        relationship="self", full_name="Ayu Lestari", sex="P", birth_date="1990-05-17", nik="3302025705900003"
    )
    for name in TEXT_FIELDS:
        page.fill(f"#id_{name}", data[name])
    for name in SELECTS:
        page.select_option(f"#id_{name}", data[name])
    page.fill("#id_birth_date", data["birth_date"])
    submit(page, "#new-member-form")
    page.wait_for_url(f"{base}/beranda/")
    watch.check("E dashboard with a member")

    # F. an existing patient by MRN and birth date
    page.goto(f"{base}/keluarga/tambah/pasien-lama/")
    watch.check("F existing patient")
    page.fill("#id_mrn", "00-01-23-50")
    page.fill("#id_birth_date", "1958-08-17")
    submit(page, "#existing-member-form")
    watch.check("F confirm")
    page.check("#id_confirm")
    page.select_option("#id_relationship", "parent") if page.locator(
        "#id_relationship option[value=parent]"
    ).count() else page.select_option("#id_relationship", index=1)
    submit(page, "#confirm-member-form")
    page.wait_for_url(f"{base}/beranda/")
    assert AccountPatient.objects.filter(patient=existing).exists()

    # G. change a member ("Ubah" in view on every screen)
    edit = page.locator("#members tbody tr", has_text="Ayu Lestari").locator(".member-edit")
    assert edit.is_visible()
    edit.click()
    watch.check("G edit member")
    page.fill("#id_birth_place", "Purwokerto")
    submit(page, "#edit-member-form")
    page.wait_for_url(f"{base}/beranda/")

    # H. "Cek Nomor Rekam Medis": Ayu's old record is attached to the member she added as new
    page.locator("#members tbody tr", has_text="Ayu Lestari").locator(".member-edit").click()
    page.fill("#id_cek-mrn", "00-01-23-60")
    page.fill("#id_cek-birth_date", "1990-05-17")
    submit(page, "#check-mrn-form")
    watch.check("H medical record attached")
    assert "00-01-23-60" in page.locator("#cek-rekam-medis").inner_text()
    assert AccountPatient.objects.filter(patient=old_record, account__email="ayu@example.com").exists()
    page.goto(f"{base}/beranda/")

    # I. a queue for Siti (complete record, MRN known)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in hospital["gigi"] if s.weekday == tomorrow.weekday())
    page.click("#book-queue")
    watch.check("I member")
    page.check(f"input[name=patient][value='{existing.pk}']")
    submit(page)
    watch.check("I date")
    page.select_option("#id_date", tomorrow.isoformat())
    submit(page)
    watch.check("I guarantor")
    page.check("input[name=guarantor_type][value='umum']")
    page.click("#next-button")
    page.wait_for_url("**/poli/")
    watch.check("I clinic")
    page.check(f"input[name=clinic][value='{schedule.clinic_id}']")
    submit(page)
    watch.check("I doctor")
    page.check(f"input[name=schedule][value='{schedule.pk}']")
    submit(page)
    watch.check("I confirm")
    page.click("#confirm-button")
    page.wait_for_url("**/?baru=1")
    watch.check("I result")
    booking = Booking.objects.get()
    page.click("#print-link")
    page.wait_for_url(f"**/{booking.code}/cetak/")
    watch.check("I slip")
    page.goto(f"{base}/antrian/")
    watch.check("I my bookings")
    page.goto(f"{base}/antrian/{booking.code}/batal/")
    watch.check("I cancel")
    submit(page)
    page.goto(f"{base}/antrian/{booking.code}/")
    watch.check("I cancelled booking")
    assert page.locator("#booking-state").is_visible() and not page.locator("#queue-label").count()

    # J. the profile
    page.goto(f"{base}/akun/profil/")
    watch.check("J profile")
    page.select_option("#id_education", "s1")
    submit(page)
    watch.check("J profile saved")
    assert User.objects.get(email="ayu@example.com").education == "s1"
    log_out(page)
    watch.check("C logged out")

    context.close()
    assert watch.problems == []
    assert len(watch.pages) >= 25


def test_clerk_verifies_one_request_and_rejects_another_at_desktop_size(browser, live_server, hospital):
    settings_row = BookingSettings.load()
    settings_row.mode = BookingMode.VERIFICATION
    settings_row.save()
    account = make_account("rina@example.com", "Rina Marlina")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in hospital["gigi"] if s.weekday == tomorrow.weekday())
    umum = GuarantorType.objects.get(code="umum")
    first, second = (
        services.booking_create(
            account=account,
            patient_id=make_member(account, name, relationship=r).pk,
            schedule_id=schedule.pk,
            date=tomorrow,
            guarantor_id=umum.pk,
            token=uuid.uuid4(),
        )
        for name, r in (("Rina Marlina", "self"), ("Bima Marlina", "child"))
    )
    clerk = make_account("petugas@rsud.example", "Siti Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    base, watch = live_server.url, Watch(page)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", clerk.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/queueing/booking/{first.pk}/change/")
    page.click("#desk-verify")
    page.wait_for_load_state()
    page.goto(f"{base}/admin/queueing/booking/{second.pk}/change/")
    page.click("#desk-reject")
    page.fill("textarea[name=reason]", "Foto KTP tidak terbaca")
    page.click("#reject-form input[type=submit]")
    page.wait_for_url(f"**/admin/queueing/booking/{second.pk}/change/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.VERIFIED, BookingStatus.REJECTED)
    context.close()
    assert watch.problems == []
