"""Which tariff applies, case by case: guarantor kind, new or returning patient, seed 003's non-resident rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cashier.models import PatientVisit, ServiceArea, Tariff, TariffCondition
from cashier.selectors import is_new_visit, lives_in_area, quote_for
from cashier.tests.conftest import make_visit
from guarantors.models import GuarantorKind
from queueing.models import BookingStatus
from queueing.tests.desk_helpers import make_patient

pytestmark = pytest.mark.django_db

UMUM = GuarantorKind.SELF_PAY


def days_ago(facility, n: int) -> dt.date:
    return facility.local_today() - dt.timedelta(days=n)


def test_a_first_visit_is_new_and_pays_the_new_patient_tariff(rsud, rsud_tariffs, guarantors):
    visit = make_visit(rsud, guarantor=guarantors[UMUM])
    quote = quote_for(visit)
    assert is_new_visit(visit)
    assert (quote.visit, quote.amount, quote.tariff) == (PatientVisit.NEW, 50_000, rsud_tariffs["new"])


@pytest.mark.parametrize("earlier_status", [BookingStatus.CHECKED_IN, BookingStatus.SERVED])
def test_an_earlier_visit_at_the_same_facility_makes_the_patient_returning(
    rsud, rsud_tariffs, guarantors, earlier_status
):
    patient = make_patient()
    make_visit(rsud, patient, guarantor=guarantors[UMUM], date=days_ago(rsud, 30), status=earlier_status)
    visit = make_visit(rsud, patient, guarantor=guarantors[UMUM])
    quote = quote_for(visit)
    assert (quote.visit, quote.amount) == (PatientVisit.RETURNING, 40_000)


@pytest.mark.parametrize(
    "earlier_status",
    [BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.NO_SHOW, BookingStatus.VERIFIED],
)
def test_a_booking_where_the_patient_never_came_does_not_make_them_returning(
    rsud, rsud_tariffs, guarantors, earlier_status
):
    patient = make_patient()
    make_visit(rsud, patient, guarantor=guarantors[UMUM], date=days_ago(rsud, 30), status=earlier_status)
    assert quote_for(make_visit(rsud, patient, guarantor=guarantors[UMUM])).visit == PatientVisit.NEW


def test_a_visit_at_another_facility_does_not_make_the_patient_returning_here(
    rsud, puskesmas, rsud_tariffs, guarantors
):
    patient = make_patient()
    make_visit(puskesmas, patient, guarantor=guarantors[UMUM], date=days_ago(puskesmas, 10))
    assert quote_for(make_visit(rsud, patient, guarantor=guarantors[UMUM])).amount == 50_000


def test_a_later_visit_does_not_make_an_earlier_one_returning(rsud, rsud_tariffs, guarantors):
    patient = make_patient()
    first = make_visit(rsud, patient, guarantor=guarantors[UMUM], date=days_ago(rsud, 10), status=BookingStatus.SERVED)
    make_visit(rsud, patient, guarantor=guarantors[UMUM])
    assert quote_for(first).visit == PatientVisit.NEW


def test_bpjs_kesehatan_has_no_tariff_so_nothing_is_paid(rsud, rsud_tariffs, guarantors):
    quote = quote_for(make_visit(rsud, guarantor=guarantors[GuarantorKind.BPJS_KESEHATAN]))
    assert quote.tariff is None and quote.amount == 0 and not quote.payable


def test_a_tariff_for_any_patient_serves_new_and_returning(rsud, rsud_tariffs, guarantors):
    tk = guarantors[GuarantorKind.BPJS_KETENAGAKERJAAN]
    patient = make_patient()
    first = make_visit(rsud, patient, guarantor=tk, date=days_ago(rsud, 5))
    second = make_visit(rsud, patient, guarantor=tk)
    assert quote_for(first).amount == quote_for(second).amount == 35_000
    assert quote_for(second).visit == PatientVisit.RETURNING


def test_a_specific_row_wins_over_any(rsud, rsud_tariffs, guarantors):
    Tariff.objects.create(
        facility=rsud, name="Umum", guarantor_kind=UMUM, visit=PatientVisit.ANY, condition="standard", amount=1
    )
    assert quote_for(make_visit(rsud, guarantor=guarantors[UMUM])).amount == 50_000


def test_an_inactive_tariff_is_ignored(rsud, rsud_tariffs, guarantors):
    Tariff.objects.filter(pk=rsud_tariffs["new"].pk).update(active=False)
    assert quote_for(make_visit(rsud, guarantor=guarantors[UMUM])).tariff is None


def test_another_facilitys_tariff_never_applies(rsud, puskesmas, rsud_tariffs, guarantors):
    assert quote_for(make_visit(puskesmas, guarantor=guarantors[UMUM])).tariff is None


# --- seed 003 step 7: no identity document, or outside the area -------------------------------


def resident(**extra):
    return make_patient(address_regency="Kab. Kubu Raya", address_district="Kec. Kuala Mandor B", **extra)


def test_a_resident_with_papers_pays_nothing_at_the_puskesmas(puskesmas, puskesmas_tariffs, guarantors):
    quote = quote_for(make_visit(puskesmas, resident(), guarantor=guarantors[UMUM]))
    assert quote.in_area is True
    assert quote.condition == TariffCondition.STANDARD and quote.tariff is None


def test_a_resident_without_papers_pays_the_retribution(puskesmas, puskesmas_tariffs, guarantors):
    quote = quote_for(make_visit(puskesmas, resident(), guarantor=guarantors[UMUM]), no_identity=True)
    assert (quote.condition, quote.amount, quote.tariff) == (
        TariffCondition.NON_RESIDENT,
        15_000,
        puskesmas_tariffs["new"],
    )


def test_a_patient_from_outside_the_area_pays_the_retribution(puskesmas, puskesmas_tariffs, guarantors):
    outsider = make_patient(address_regency="Kota Pontianak", address_district="Pontianak Kota")
    quote = quote_for(make_visit(puskesmas, outsider, guarantor=guarantors[UMUM]))
    assert quote.in_area is False and quote.amount == 15_000


def test_another_district_of_the_same_regency_is_outside(puskesmas, puskesmas_tariffs, guarantors):
    neighbour = make_patient(address_regency="Kubu Raya", address_district="Sungai Raya")
    assert quote_for(make_visit(puskesmas, neighbour, guarantor=guarantors[UMUM])).in_area is False


def test_a_returning_outsider_pays_the_returning_retribution(puskesmas, puskesmas_tariffs, guarantors):
    outsider = make_patient(address_regency="Kota Pontianak")
    make_visit(puskesmas, outsider, guarantor=guarantors[UMUM], date=days_ago(puskesmas, 3))
    assert quote_for(make_visit(puskesmas, outsider, guarantor=guarantors[UMUM])).amount == 10_000


def test_an_unknown_address_is_not_taken_as_outside(puskesmas, puskesmas_tariffs, guarantors):
    quote = quote_for(make_visit(puskesmas, make_patient(address_regency=""), guarantor=guarantors[UMUM]))
    assert quote.in_area is None and quote.tariff is None


def test_a_whole_regency_area_covers_every_district(puskesmas, guarantors):
    ServiceArea.objects.create(facility=puskesmas, regency="KUBU RAYA")
    assert lives_in_area(make_patient(address_regency="Kabupaten Kubu Raya", address_district="Rasau Jaya"), puskesmas)


def test_a_facility_without_areas_has_no_area_rule(rsud, rsud_tariffs, guarantors):
    quote = quote_for(make_visit(rsud, make_patient(address_regency="Kota Pontianak"), guarantor=guarantors[UMUM]))
    assert quote.in_area is None and quote.condition == TariffCondition.STANDARD and quote.amount == 50_000


def test_without_a_non_resident_row_the_standard_tariff_applies(rsud, rsud_tariffs, guarantors):
    quote = quote_for(make_visit(rsud, guarantor=guarantors[UMUM]), no_identity=True)
    assert quote.condition == TariffCondition.NON_RESIDENT and quote.tariff == rsud_tariffs["new"]


# --- constraints ------------------------------------------------------------------------------


def test_one_active_tariff_per_case_full_clean(rsud, rsud_tariffs):
    twin = Tariff(facility=rsud, name="x", guarantor_kind=UMUM, visit=PatientVisit.NEW, condition="standard", amount=1)
    with pytest.raises(ValidationError) as info:
        twin.full_clean()
    assert "tariff_exists" in str(info.value.error_dict) or info.value.error_dict["__all__"][0].code == "tariff_exists"


def test_one_active_tariff_per_case_in_the_database(rsud, rsud_tariffs):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(
            facility=rsud, name="x", guarantor_kind=UMUM, visit=PatientVisit.NEW, condition="standard", amount=1
        )
    # An inactive twin is fine: the old tariff is kept for its receipts.
    Tariff.objects.create(
        facility=rsud,
        name="x",
        guarantor_kind=UMUM,
        visit=PatientVisit.NEW,
        condition="standard",
        amount=1,
        active=False,
    )


def test_a_negative_amount_is_refused_by_the_database(rsud):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(facility=rsud, name="x", guarantor_kind=UMUM, amount=-5)
