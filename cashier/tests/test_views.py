"""The cashier's pages: access, look-up, paying, waiving, receipts (checked as PDF text), voiding, recap, scoping."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from cashier import services
from cashier.models import Payment, PaymentMethod
from cashier.tests.conftest import make_staff, make_visit
from guarantors.models import GuarantorKind
from queueing.desk.services import clerk_group_ensure
from queueing.tests.desk_helpers import make_patient

pytestmark = pytest.mark.django_db

UMUM = GuarantorKind.SELF_PAY


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


@pytest.fixture
def visit(rsud, rsud_tariffs, guarantors):
    return make_visit(rsud, make_patient("Slamet Riyadi"), guarantor=guarantors[UMUM])


def pay_cash(booking, cashier):
    return services.payment_take(booking=booking, cashier=cashier, method="cash", expected_amount=50_000)


# --- access -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login(client, visit):
    response = client.get(reverse("cashier:visit", args=[visit.code]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_clerk_without_cashier_permissions_gets_403(client, clerk, rsud, visit):
    from facilities.models import FacilityMembership

    clerk.groups.add(clerk_group_ensure())
    FacilityMembership.objects.create(user=clerk, facility=rsud, role="clerk")
    client.force_login(clerk)
    assert client.get(reverse("cashier:home")).status_code == 403
    assert client.post(reverse("cashier:pay", args=[visit.code])).status_code == 403


def test_a_cashier_sees_nothing_of_the_registration_counter(cashier_client):
    assert cashier_client.get(reverse("queueing:desk_home")).status_code == 403


# --- finding the visit ------------------------------------------------------------------------------


def test_a_scanned_code_opens_the_visit(cashier_client, visit):
    response = cashier_client.get(reverse("cashier:home"), {"q": visit.code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("cashier:visit", args=[visit.code])


def test_a_name_lists_todays_visits(cashier_client, visit, rsud, guarantors):
    yesterday = rsud.local_today() - dt.timedelta(days=1)
    make_visit(rsud, make_patient("Slamet Riyadi Putra"), guarantor=guarantors[UMUM], date=yesterday)
    make_visit(rsud, make_patient("Budi Santoso"), guarantor=guarantors[UMUM])
    response = cashier_client.get(reverse("cashier:home"), {"q": "slamet riy"})
    assert response.status_code == 200
    assert list(response.context["found"]) == [visit]


def test_an_unknown_code_or_name_shows_an_error_under_the_field(cashier_client, visit):
    response = cashier_client.get(reverse("cashier:home"), {"q": "Tidak Ada"})
    assert response.context["form"].errors["q"][0]
    assert response.context["form"].has_error("q", "not_found")


def test_the_visit_page_shows_the_tariff_and_logs_the_staff_access(cashier_client, visit, cashier):
    from families.models import PatientAccessLog

    response = cashier_client.get(reverse("cashier:visit", args=[visit.code]))
    assert response.status_code == 200
    assert PatientAccessLog.objects.filter(user=cashier, patient=visit.patient, what="booking").count() == 1
    assert response.context["quote"].amount == 50_000
    assert "Rp 50.000" in response.content.decode()


# --- paying ---------------------------------------------------------------------------------------------


def test_paying_cash_records_the_payment_and_redirects_to_the_visit(cashier_client, visit, cashier):
    response = cashier_client.post(
        reverse("cashier:pay", args=[visit.code]), {"method": "cash", "expected_amount": 50_000}
    )
    assert response.status_code == 302
    payment = Payment.objects.get(booking=visit)
    assert (payment.amount, payment.method, payment.cashier) == (50_000, "cash", cashier)
    page = cashier_client.get(response["Location"]).content.decode()
    assert payment.receipt_label in page


def test_qris_without_reference_is_an_error_under_the_field(cashier_client, visit):
    response = cashier_client.post(
        reverse("cashier:pay", args=[visit.code]), {"method": "qris", "reference": "", "expected_amount": 50_000}
    )
    assert response.status_code == 200
    assert response.context["pay_form"].has_error("reference", "reference_required")
    assert not Payment.objects.exists()


def test_a_changed_tariff_is_a_form_error_not_a_payment(cashier_client, visit):
    response = cashier_client.post(reverse("cashier:pay", args=[visit.code]), {"method": "cash", "expected_amount": 10})
    assert response.context["pay_form"].has_error("__all__", "amount_changed")
    assert not Payment.objects.exists()
    # The form now carries the new amount: the next click (after telling the patient) pays it.
    assert 'name="expected_amount" value="50000"' in response.content.decode()


def test_no_identity_document_posts_the_non_resident_quote(cashier_client, puskesmas, puskesmas_tariffs, guarantors):
    cashier = make_staff("made@pkm.example", puskesmas)
    cashier_client.force_login(cashier)
    resident = make_patient(address_regency="Kubu Raya", address_district="Kuala Mandor B")
    booking = make_visit(puskesmas, resident, guarantor=guarantors[UMUM])
    page = cashier_client.get(reverse("cashier:visit", args=[booking.code]))
    assert page.context["quote"].tariff is None
    page = cashier_client.get(reverse("cashier:visit", args=[booking.code]), {"tanpa_identitas": "1"})
    assert page.context["quote"].amount == 15_000
    response = cashier_client.post(
        reverse("cashier:pay", args=[booking.code]),
        {"method": "cash", "expected_amount": 15_000, "no_identity": "True"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(booking=booking).condition == "non_resident"


def test_waiving_without_reason_is_an_error_under_the_field(cashier_client, visit):
    response = cashier_client.post(reverse("cashier:waive", args=[visit.code]), {"expected_amount": 50_000})
    assert response.context["waive_form"].has_error("reason", "required")
    response = cashier_client.post(
        reverse("cashier:waive", args=[visit.code]),
        {"expected_amount": 50_000, "reason": "Surat keterangan tidak mampu"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(booking=visit).method == PaymentMethod.WAIVED


# --- receipts ---------------------------------------------------------------------------------------


def test_the_receipt_pdf_carries_number_patient_amount_and_method(cashier_client, visit, cashier, rsud):
    payment = services.payment_take(
        booking=visit, cashier=cashier, method="qris", reference="QR88123", expected_amount=50_000
    )
    response = cashier_client.get(reverse("cashier:receipt", args=[payment.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "TANDA TERIMA PEMBAYARAN",
        f"No. {payment.receipt_label}",
        "Slamet Riyadi",
        "Rp 50.000",
        "lima puluh ribu rupiah",
        "QRIS",
        "QR88123",
        visit.code,
        rsud.name,
        "pasien baru",
    ):
        assert expected in text, expected
    page = pdfium.PdfDocument(response.content)[0]
    assert page.get_width() == pytest.approx(80 / 25.4 * 72)


def test_a_voided_receipt_says_so(cashier_client, visit, cashier, supervisor):
    payment = services.payment_void(payment=pay_cash(visit, cashier), actor=supervisor, reason="Salah pasien")
    text = pdf_text(cashier_client.get(reverse("cashier:receipt", args=[payment.pk])).content)
    assert "DIBATALKAN" in text and "Salah pasien" in text


def test_a_waiver_receipt_says_waived_with_the_reason(cashier_client, visit, cashier):
    waiver = services.payment_waive(booking=visit, cashier=cashier, reason="Bencana banjir", expected_amount=50_000)
    text = pdf_text(cashier_client.get(reverse("cashier:receipt", args=[waiver.pk])).content)
    assert "DIBEBASKAN" in text and "Bencana banjir" in text


# --- voiding -------------------------------------------------------------------------------------------


def test_a_cashier_gets_403_on_the_void_page(cashier_client, visit, cashier):
    payment = pay_cash(visit, cashier)
    url = reverse("cashier:void", args=[payment.pk])
    assert cashier_client.get(url).status_code == 403
    assert cashier_client.post(url, {"reason": "x"}).status_code == 403
    assert not Payment.objects.get(pk=payment.pk).is_voided


def test_a_supervisor_voids_with_a_reason(client, visit, cashier, supervisor):
    payment = pay_cash(visit, cashier)
    client.force_login(supervisor)
    url = reverse("cashier:void", args=[payment.pk])
    response = client.post(url, {"reason": ""})
    assert response.context["form"].has_error("reason", "required")
    response = client.post(url, {"reason": "Uang dikembalikan: berkas BPJS TK lengkap"})
    assert response.status_code == 302
    assert Payment.objects.get(pk=payment.pk).void_reason.startswith("Uang dikembalikan")


def test_a_supervisor_of_another_facility_gets_404_on_the_void_page(client, visit, cashier, puskesmas):
    payment = pay_cash(visit, cashier)
    other = make_staff("sup@pkm.example", puskesmas, role="cashier_supervisor", group=services.SUPERVISOR_GROUP)
    client.force_login(other)
    assert client.post(reverse("cashier:void", args=[payment.pk]), {"reason": "x"}).status_code == 404


# --- scoping ---------------------------------------------------------------------------------------------


def test_a_cashier_of_one_facility_gets_404_on_anothers_visits_and_receipts(
    client, visit, cashier, puskesmas, puskesmas_cashier
):
    payment = pay_cash(visit, cashier)
    client.force_login(puskesmas_cashier)
    assert client.get(reverse("cashier:visit", args=[visit.code])).status_code == 404
    assert client.post(reverse("cashier:pay", args=[visit.code]), {"method": "cash"}).status_code == 404
    assert client.get(reverse("cashier:receipt", args=[payment.pk])).status_code == 404
    response = client.get(reverse("cashier:home"), {"q": visit.code})
    assert response.status_code == 200 and response.context["form"].has_error("q", "not_found")


# --- the recap and the "paid" badge ----------------------------------------------------------------------


def test_the_recap_totals_each_method_per_cashier_and_leaves_voids_out(
    client, rsud, rsud_tariffs, guarantors, supervisor
):
    rina = make_staff("rina@rsud.example", rsud)
    dewi = make_staff("dewi@rsud.example", rsud)
    umum = guarantors[UMUM]
    pay_cash(make_visit(rsud, guarantor=umum), rina)
    pay_cash(make_visit(rsud, guarantor=umum), rina)
    services.payment_take(
        booking=make_visit(rsud, guarantor=umum), cashier=dewi, method="qris", reference="Q1", expected_amount=50_000
    )
    services.payment_waive(
        booking=make_visit(rsud, guarantor=umum), cashier=dewi, reason="SKTM", expected_amount=50_000
    )
    services.payment_void(payment=pay_cash(make_visit(rsud, guarantor=umum), dewi), actor=supervisor, reason="Salah")
    client.force_login(supervisor)
    response = client.get(reverse("cashier:recap"))
    recap = response.context["recap"]
    assert recap.totals == {"cash": (2, 100_000), "qris": (1, 50_000), "waived": (1, 50_000)}
    assert recap.received == 150_000
    by_cashier = {row.cashier: row.by_method for row in recap.rows}
    assert by_cashier["Rina"] == {"cash": (2, 100_000)}
    assert by_cashier["Dewi"] == {"qris": (1, 50_000), "waived": (1, 50_000)}
    assert len(recap.voided) == 1
    assert "Rp 150.000" in response.content.decode()


def test_the_recap_of_my_payments_only(client, rsud, rsud_tariffs, guarantors):
    rina, dewi = make_staff("rina@rsud.example", rsud), make_staff("dewi@rsud.example", rsud)
    pay_cash(make_visit(rsud, guarantor=guarantors[UMUM]), rina)
    pay_cash(make_visit(rsud, guarantor=guarantors[UMUM]), dewi)
    client.force_login(rina)
    recap = client.get(reverse("cashier:recap"), {"mine": "on"}).context["recap"]
    assert recap.received == 50_000


def test_the_clerks_pages_show_paid_for_a_paid_visit(client, clerk, rsud, visit, cashier, guarantors):
    from facilities.models import FacilityMembership

    unpaid = make_visit(rsud, make_patient("Belum Bayar"), guarantor=guarantors[UMUM])
    pay_cash(visit, cashier)
    clerk.groups.add(clerk_group_ensure())
    FacilityMembership.objects.create(user=clerk, facility=rsud, role="clerk")
    client.force_login(clerk)
    card = client.get(reverse("queueing:desk_check_in"), {"kode": visit.code}).content.decode()
    assert "paid-badge" in card
    assert "paid-badge" not in client.get(reverse("queueing:desk_check_in"), {"kode": unpaid.code}).content.decode()
    register = client.get(reverse("queueing:desk_register")).content.decode()
    assert register.count("paid-badge") == 1


def test_loaddemo_makes_the_demo_cashier_and_tariffs(db):
    from django.core.management import call_command

    from cashier.demo import DEMO_CASHIER_EMAIL
    from cashier.models import Tariff
    from facilities.models import Facility

    call_command("loaddemo", verbosity=0)
    call_command("loaddemo", verbosity=0)  # idempotent
    from accounts.models import User

    kasir = User.objects.get(email=DEMO_CASHIER_EMAIL)
    assert kasir.check_password("antrean-demo-2026") and kasir.has_perm("cashier.add_payment")
    assert not kasir.has_perm("queueing.view_booking")
    for facility in Facility.objects.all():
        assert Tariff.objects.filter(facility=facility, active=True).exists(), facility


@pytest.mark.parametrize(
    "amount, words",
    [
        (0, "nol"),
        (11, "sebelas"),
        (21, "dua puluh satu"),
        (100, "seratus"),
        (110, "seratus sepuluh"),
        (1_000, "seribu"),
        (15_000, "lima belas ribu"),
        (50_000, "lima puluh ribu"),
        (1_250_000, "satu juta dua ratus lima puluh ribu"),
        (2_001_500, "dua juta seribu lima ratus"),
    ],
)
def test_the_amount_in_words_is_written_as_a_kwitansi_spells_it(amount, words):
    from cashier.receipts import terbilang

    assert terbilang(amount) == words


def test_the_paid_tag_takes_bookings_or_queue_entries_that_carry_them(rsud, rsud_tariffs, guarantors, cashier):
    from types import SimpleNamespace

    from django.template import Context, Template

    paid, unpaid = (make_visit(rsud, guarantor=guarantors[UMUM]) for _i in range(2))
    pay_cash(paid, cashier)
    template = Template(
        "{% load cashier_tags %}{% paid_booking_ids items as ids %}"
        "{% for e in items %}[{{ e.booking.label }}{% paid_badge e.booking ids %}]{% endfor %}"
    )
    html = template.render(Context({"items": [SimpleNamespace(booking=paid), SimpleNamespace(booking=unpaid)]}))
    assert f"[{paid.label}<span" in html and f"[{unpaid.label}]" in html.replace("\n", "")


def test_the_clinic_calling_page_shows_paid_for_a_paid_patient(client, rsud, rsud_tariffs, guarantors, cashier):
    """Seed 004: the patient shows proof of payment at the clinic; the nurse's page shows it too."""
    from visitday.tests.clinic_helpers import arrive, day_quota_of, make_nurse, session_today

    clerk = make_staff("loket@rsud.example", rsud, role="clerk")
    clerk.groups.add(clerk_group_ensure())
    bookings = arrive(clerk, session_today(rsud.local_today()), 2)
    pay_cash(bookings[0], cashier)
    client.force_login(make_nurse())
    page = client.get(reverse("visitday_nurse:session", args=[day_quota_of(bookings[0]).pk])).content.decode()
    assert page.count("paid-badge") == 1
    assert page.index("paid-badge") > page.index(bookings[0].patient.full_name)
    assert page.index("paid-badge") < page.index(bookings[1].patient.full_name)
