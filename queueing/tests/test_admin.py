"""The counter in the admin: clerk permissions, today's list, search, the booking page, verify/reject, slips."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from families.models import AccessWhat, IdentityDocument, PatientAccessLog
from queueing.admin import BookingAdmin
from queueing.desk import services as desk_services
from queueing.desk.services import CounterEntry
from queueing.models import Booking, BookingDocument, BookingMode, BookingStatus, DayQuota, ScheduleException
from queueing.tests.conftest import make_member
from queueing.tests.desk_helpers import (  # noqa: F401 - fixtures
    book_today,
    clerk_client,
    desk_clerk,
    gigi_today,
    make_patient,
    today,
    umum_today,
)

CHANGELIST = "admin:queueing_booking_changelist"
ALL_DATES = reverse(CHANGELIST) + "?tanggal=all"


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def requests_(patient, gigi_tomorrow, tomorrow, book, cfg):
    cfg.mode = BookingMode.VERIFICATION
    cfg.save()
    return [book(make_member(patient, f"Pasien {i}", relationship="other"), gigi_tomorrow, tomorrow) for i in range(3)]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def change_url(booking: Booking) -> str:
    return reverse("admin:queueing_booking_change", args=[booking.pk])


# --- the clerk's reach ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("admin:accounts_user_changelist", 403),
        ("admin:auth_group_changelist", 403),
        ("admin:families_patientaccesslog_changelist", 403),
        ("admin:families_linklog_changelist", 403),
        ("admin:queueing_bookingsettings_change", 403),
        ("admin:queueing_clinic_add", 403),
        ("admin:queueing_booking_changelist", 200),
        ("admin:families_patient_changelist", 200),
        ("admin:families_patient_add", 200),
        ("admin:queueing_schedule_changelist", 200),
    ],
)
def test_a_clerk_reaches_the_counter_but_not_users_groups_logs_or_settings(clerk_client, cfg, name, status):
    args = [cfg.pk] if name.endswith("_change") else []  # the real row: a missing one is 404 (facilities/scope.py)
    assert clerk_client.get(reverse(name, args=args)).status_code == status


def test_the_clerk_admin_index_shows_the_counter_and_hides_the_rest(clerk_client):
    html = clerk_client.get(reverse("admin:index")).content.decode()
    assert 'id="desk-module"' in html and reverse("queueing:desk_check_in") in html
    assert reverse("admin:accounts_user_changelist") not in html
    assert reverse("admin:auth_group_changelist") not in html
    assert reverse("admin:families_patientaccesslog_changelist") not in html


def test_only_superusers_read_the_access_log(clerk_client, admin_user, member, gigi_today, book_today):
    booking = book_today(member, gigi_today)
    clerk_client.get(change_url(booking))
    log = PatientAccessLog.objects.get()
    assert (log.patient, log.what) == (member, "booking")
    assert clerk_client.get(reverse("admin:families_patientaccesslog_changelist")).status_code == 403
    clerk_client.force_login(admin_user)
    response = clerk_client.get(reverse("admin:families_patientaccesslog_changelist"))
    with translation.override("id"):  # the label of the choice, in the clerk's language
        assert response.status_code == 200 and str(AccessWhat.BOOKING.label) in response.content.decode()


# --- the list --------------------------------------------------------------------------------------------


def test_the_list_opens_on_today_and_a_search_looks_at_every_date(
    clerk_client, patient, member, child, gigi_today, gigi_tomorrow, tomorrow, book, book_today
):
    today_booking = book_today(member, gigi_today)
    later = book(child, gigi_tomorrow, tomorrow)
    shown = clerk_client.get(reverse(CHANGELIST)).context["cl"].result_list
    assert list(shown) == [today_booking]
    for term in (later.code.lower(), child.full_name.split()[0].lower(), child.mrn, child.nik):
        found = clerk_client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list
        assert later in found, term
    tomorrow_only = clerk_client.get(reverse(CHANGELIST), {"tanggal": "tomorrow"}).context["cl"].result_list
    assert list(tomorrow_only) == [later]
    by_date = clerk_client.get(reverse(CHANGELIST), {"tanggal": tomorrow.isoformat()}).context["cl"].result_list
    assert list(by_date) == [later]


def test_the_list_filters_unverified_guarantors_and_flagged_niks(
    clerk_client, patient, gigi_today, book_today, bpjs, desk_clerk
):
    plain = book_today(make_member(patient, "Umum Saja", relationship="other"), gigi_today)
    flagged = book_today(make_member(patient, "NIK Beda", relationship="other", nik_mismatch=True), gigi_today)
    [unchecked] = desk_services.walkin_register(
        actor=desk_clerk,
        schedule_id=gigi_today.pk,
        entries=[
            CounterEntry(
                patient_id=make_patient().pk,
                guarantor_id=bpjs.pk,
                card_number="0001234567890",
                referral_number="0902P0010000Y000001",
                guarantor_check={"status": "unverified"},
            )
        ],
    )
    pending = clerk_client.get(reverse(CHANGELIST), {"penjamin_cek": "pending"}).context["cl"].result_list
    assert list(pending) == [unchecked]
    unreachable = clerk_client.get(reverse(CHANGELIST), {"penjamin_cek": "unreachable"}).context["cl"].result_list
    assert list(unreachable) == [unchecked]
    mismatched = clerk_client.get(reverse(CHANGELIST), {"nik_beda": "yes"}).context["cl"].result_list
    assert list(mismatched) == [flagged]
    assert plain not in mismatched


def test_the_list_costs_the_same_queries_for_50_rows_as_for_5(
    clerk_client, patient, gigi, today, umum, desk_clerk, django_assert_max_num_queries
):
    schedule = next(s for s in gigi if s.weekday == today.weekday())
    schedule.total_quota = 60
    schedule.save()

    def register(count: int) -> None:
        desk_services.walkin_register(
            actor=desk_clerk,
            schedule_id=schedule.pk,
            entries=[
                CounterEntry(patient_id=make_patient(f"Pasien {i}").pk, guarantor_id=umum.pk) for i in range(count)
            ],
        )

    register(5)
    with CaptureQueriesContext(connection) as five:
        assert len(clerk_client.get(reverse(CHANGELIST)).context["cl"].result_list) == 5
    register(45)
    with django_assert_max_num_queries(len(five)):
        response = clerk_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 50
    assert response.context["cl"].show_full_result_count is False  # no COUNT(*) over the whole table


# --- the booking page ---------------------------------------------------------------------------------


def test_the_booking_page_shows_patient_documents_bpjs_answer_and_history(
    clerk_client, patient, gigi_today, book_today, private_media, desk_clerk, umum_today
):
    member = make_member(patient, "Rina Marlina", nik_mismatch=True)
    card = IdentityDocument(patient=member, kind="ktp", content_type="image/png", size=10)
    card.file.save("ktp.png", ContentFile(png_bytes()), save=True)
    booking = book_today(member, gigi_today)
    Booking.objects.filter(pk=booking.pk).update(
        guarantor_check={
            "status": "verified",
            "checked_at": "2026-11-20T08:00:00+07:00",
            "message": "",
            "errors": {},
            "summary": {
                "participant": {"name": "RINA MARLINA", "status": "AKTIF", "class": "KELAS II"},
                "referral": {"number": "0902P0010000Y000001", "valid_until": "2027-01-20", "poli": "GIGI"},
            },
        }
    )
    letter = BookingDocument(booking=booking, kind="referral_letter", content_type="image/png", size=10)
    letter.file.save("rujukan.png", ContentFile(png_bytes()), save=True)
    desk_services.booking_move(
        booking=Booking.objects.select_related("day_quota").get(pk=booking.pk),
        actor=desk_clerk,
        schedule_id=umum_today.pk,
        reason="Salah pilih poli",
    )
    html = clerk_client.get(change_url(booking)).content.decode()
    assert "Rina Marlina" in html and member.masked_nik in html and member.nik not in html
    ktp_url = reverse("families:document_view", kwargs={"document_id": card.pk})
    letter_url = reverse("admin:queueing_booking_document", args=[booking.pk, letter.pk])
    assert f'<img src="{ktp_url}"' in html and f'<img src="{letter_url}"' in html
    for text in (
        "RINA MARLINA",
        "KELAS II",
        "0902P0010000Y000001",
        "20 Januari 2027",
        "GIGI-001",
        "UMUM-001",
        "Salah pilih poli",
        desk_clerk.email,
    ):
        assert text in html, text
    assert 'name="_save"' not in html  # every field is read-only: status changes are buttons
    assert clerk_client.get(ktp_url).status_code == 200
    assert clerk_client.get(letter_url).status_code == 200
    assert sorted(PatientAccessLog.objects.values_list("what", "detail")) == [
        ("booking", ""),
        ("booking_letter", "referral_letter"),
        ("identity_document", "ktp"),
    ]


def test_booking_letters_need_the_document_permission(
    client, member, gigi_today, book_today, private_media, admin_user
):
    from conftest import make_account

    booking = book_today(member, gigi_today)
    letter = BookingDocument(booking=booking, kind="referral_letter", content_type="image/png", size=10)
    letter.file.save("rujukan.png", ContentFile(png_bytes()), save=True)
    staff = make_account("lain@rsud.example", "Staf Lain", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:queueing_booking_document", args=[booking.pk, letter.pk])).status_code == 403
    assert not PatientAccessLog.objects.exists()


# --- verify and reject (SOP 002 steps 3-6) ------------------------------------------------------------


def test_verify_button_gives_the_number_and_emails_it_after_commit(
    clerk_client, patient, requests_, desk_clerk, django_capture_on_commit_callbacks
):
    target = requests_[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("admin:queueing_booking_status", args=[target.pk, "verify"]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.label) == (BookingStatus.VERIFIED, "GIGI-001")
    event = target.events.order_by("at", "id").last()
    assert (event.from_status, event.to_status, event.actor) == ("requested", "verified", desk_clerk)
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert "GIGI-001" in message.subject and target.estimated_time.strftime("%H:%M") in message.body
    assert target.code in message.body


def test_verify_action_gives_numbers_in_verification_order(admin_client_, requests_):
    response = admin_client_.post(ALL_DATES, {"action": "verify_bookings", ACTION_CHECKBOX_NAME: [requests_[2].pk]})
    assert response.status_code == 302
    requests_[2].refresh_from_db()
    assert (requests_[2].status, requests_[2].number) == (BookingStatus.VERIFIED, 1)
    assert DayQuota.objects.get().last_number == 1


def test_reject_page_demands_a_reason_and_the_patient_sees_it_and_can_book_again(
    clerk_client, client, patient, requests_, django_capture_on_commit_callbacks
):
    target = requests_[0]
    url = reverse("admin:queueing_booking_reject", args=[target.pk])
    assert 'name="reason"' in clerk_client.get(url).content.decode()
    empty = clerk_client.post(url, {"reason": "   "})
    assert [e.code for e in empty.context["form"].errors.as_data()["reason"]] == ["required"]
    assert 'id="reason-errors"' in empty.content.decode()
    target.refresh_from_db()
    assert target.status == BookingStatus.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        done = clerk_client.post(url, {"reason": "Foto KTP tidak terbaca, unggah ulang"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.reject_reason) == (BookingStatus.REJECTED, "Foto KTP tidak terbaca, unggah ulang")
    assert DayQuota.objects.get().active_count == 2
    [message] = mail.outbox
    assert message.to == [patient.email] and "Foto KTP tidak terbaca" in message.body
    client.force_login(patient)
    my_bookings = client.get(reverse("queueing:booking_list")).content.decode()
    assert "Foto KTP tidak terbaca, unggah ulang" in my_bookings
    detail = client.get(reverse("queueing:booking_detail", args=[target.code])).content.decode()
    assert f"?dari={target.code}" in detail  # "book again"


def test_reject_action_asks_for_a_reason_first(admin_client_, patient, requests_, django_capture_on_commit_callbacks):
    target = requests_[0]
    data = {"action": "reject_bookings", ACTION_CHECKBOX_NAME: [target.pk]}
    form_page = admin_client_.post(ALL_DATES, data)
    assert form_page.status_code == 200 and b'name="reason"' in form_page.content
    empty = admin_client_.post(ALL_DATES, {**data, "apply": "1", "reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors["reason"]
    target.refresh_from_db()
    assert target.status == BookingStatus.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client_.post(ALL_DATES, {**data, "apply": "1", "reason": "KTP tidak terbaca"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.reject_reason) == (BookingStatus.REJECTED, "KTP tidak terbaca")
    assert DayQuota.objects.get().active_count == 2
    assert mail.outbox[-1].to == [patient.email]


def test_status_buttons_check_in_serve_and_mark_no_show_with_history(
    clerk_client, patient, member, child, gigi_today, book_today, desk_clerk
):
    first, second = book_today(member, gigi_today), book_today(child, gigi_today)
    assert clerk_client.get(reverse("admin:queueing_booking_status", args=[first.pk, "check_in"])).status_code == 405
    for booking, action in ((first, "check_in"), (first, "served"), (second, "no_show")):
        clerk_client.post(reverse("admin:queueing_booking_status", args=[booking.pk, action]))
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.SERVED, BookingStatus.NO_SHOW)
    assert [e.to_status for e in first.events.order_by("at", "id")] == ["verified", "checked_in", "served"]
    assert all(e.actor == desk_clerk for e in first.events.order_by("at", "id")[1:])
    refused = clerk_client.post(reverse("admin:queueing_booking_status", args=[first.pk, "served"]), follow=True)
    assert "error" in [m.level_tag for m in refused.context["messages"]]
    assert clerk_client.post(reverse("admin:queueing_booking_status", args=[first.pk, "delete"])).status_code == 404


def test_bookings_cannot_be_deleted_or_added_in_the_admin(admin_client_, requests_):
    booking = requests_[0]
    assert admin_client_.get(reverse("admin:queueing_booking_delete", args=[booking.pk])).status_code == 403
    assert admin_client_.get(reverse("admin:queueing_booking_add")).status_code == 403
    assert admin_client_.get(change_url(booking)).status_code == 200


# --- slips from the list ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "pages"), [("thermal", 5), ("a6", 2)])
def test_several_slips_print_as_one_pdf_from_the_list(clerk_client, patient, gigi_today, umum, desk_clerk, fmt, pages):
    booked = desk_services.walkin_register(
        actor=desk_clerk,
        schedule_id=gigi_today.pk,
        entries=[CounterEntry(patient_id=make_patient(f"Pasien {i}").pk, guarantor_id=umum.pk) for i in range(5)],
    )
    response = clerk_client.post(
        reverse(CHANGELIST), {"action": f"print_slips_{fmt}", ACTION_CHECKBOX_NAME: [b.pk for b in booked]}
    )
    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    assert len(document) == pages
    found = set()
    for page in document:
        image = page.render(scale=250 / 72).to_pil().convert("L")
        found |= {b.text for b in zxingcpp.read_barcodes(image)}
    assert found == {b.code for b in booked}


# --- configuration (kept from the booking issue) --------------------------------------------------------------


def test_adding_an_exception_marks_bookings_and_emails(
    admin_client_, patient, member, gigi_tomorrow, tomorrow, book, django_capture_on_commit_callbacks
):
    booking = book(member, gigi_tomorrow, tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("admin:queueing_scheduleexception_add"),
            {
                "date": tomorrow.isoformat(),
                "scope": "clinic",
                "clinic": gigi_tomorrow.clinic_id,
                "doctor": "",
                "reason": "Poli gigi tutup: renovasi",
            },
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.affected and booking.affected_note == "Poli gigi tutup: renovasi"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.email]
    assert DayQuota.objects.get().closed


def test_exception_with_wrong_target_is_a_form_error(admin_client_, gigi_tomorrow, tomorrow):
    response = admin_client_.post(
        reverse("admin:queueing_scheduleexception_add"),
        {"date": tomorrow.isoformat(), "scope": "doctor", "clinic": "", "doctor": "", "reason": "?"},
    )
    assert response.status_code == 200
    assert not ScheduleException.objects.exists()


def test_booking_settings_open_on_the_single_row(admin_client_, cfg):
    response = admin_client_.get(reverse("admin:queueing_bookingsettings_changelist"))
    assert response["Location"] == reverse("admin:queueing_bookingsettings_change", args=[cfg.pk])
    assert admin_client_.get(response["Location"]).status_code == 200


def test_changing_a_schedule_quota_reaches_opened_days(admin_client_, gigi_tomorrow, member, tomorrow, book):
    book(member, gigi_tomorrow, tomorrow)
    DayQuota.objects.update(total_quota=20)  # the counter has used the day too
    url = reverse("admin:queueing_schedule_change", args=[gigi_tomorrow.pk])
    data = {
        "doctor": gigi_tomorrow.doctor_id,
        "clinic": gigi_tomorrow.clinic_id,
        "weekday": gigi_tomorrow.weekday,
        "start_time": "08:00",
        "end_time": "12:00",
        "total_quota": 30,
        "online_quota": 25,
        "jkn_quota": 5,
        "minutes_per_patient": 15,
        "active": "on",
    }
    assert admin_client_.post(url, data).status_code == 302
    quota = DayQuota.objects.get()
    assert (quota.quota, quota.total_quota, quota.jkn_quota) == (25, 30, 5)
    assert Booking.objects.count() == 1


def test_schedule_exception_list_is_read_only_for_clerks(clerk_client, today):
    assert clerk_client.get(reverse("admin:queueing_scheduleexception_changelist")).status_code == 200
    assert clerk_client.get(reverse("admin:queueing_scheduleexception_add")).status_code == 403


def test_a_common_name_over_every_date_counts_up_to_the_cap(clerk_client, patient, gigi_today, book_today, monkeypatch):
    monkeypatch.setattr(BookingAdmin, "count_cap", 2)  # issue 16: 1,000 in service
    monkeypatch.setattr(BookingAdmin, "list_per_page", 1)
    budis = [
        book_today(make_member(patient, f"Budi {n}", relationship="other"), gigi_today)
        for n in ("Santoso", "Wibowo", "Lestari")
    ]
    book_today(make_member(patient, "Siti Rahayu", relationship="other"), gigi_today)
    response = clerk_client.get(ALL_DATES, {"q": "budi"})
    changelist = response.context["cl"]
    assert changelist.paginator.capped and changelist.result_count == 2
    shown = [*changelist.result_list, *clerk_client.get(ALL_DATES, {"q": "budi", "p": 2}).context["cl"].result_list]
    assert len(shown) == 2 and set(shown) < set(budis)  # two pages of the counted rows, no Siti
    assert "Lebih dari 2 " in response.content.decode()  # "... found: refine the search", in Indonesian
    two = clerk_client.get(ALL_DATES, {"q": "budi wibowo"})
    assert not two.context["cl"].paginator.capped and list(two.context["cl"].result_list) == [budis[1]]
    assert "Lebih dari" not in two.content.decode()
