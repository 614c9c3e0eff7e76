"""Demo cashier data for `manage.py loaddemo` (idempotent): a cashier, a supervisor, tariffs, the puskesmas's area."""

from __future__ import annotations

from accounts.demo import _ensure
from cashier.models import PatientVisit, ServiceArea, Tariff, TariffCondition
from cashier.services import CASHIER_GROUP, SUPERVISOR_GROUP, cashier_group_ensure
from facilities import demo as facility_demo
from facilities.models import FacilityMembership, FacilityRole
from guarantors.models import GuarantorKind

DEMO_CASHIER_EMAIL = "kasir@antrean.local"
DEMO_SUPERVISOR_EMAIL = "supervisor.kasir@antrean.local"

# (guarantor kind, patient, condition, amount, name on the receipt)
RSUD_TARIFFS = [
    # Seed 004: Umum patients pay the consultation before the clinic.
    (GuarantorKind.SELF_PAY, PatientVisit.NEW, TariffCondition.STANDARD, 50_000, "Karcis & konsultasi dokter"),
    (GuarantorKind.SELF_PAY, PatientVisit.RETURNING, TariffCondition.STANDARD, 40_000, "Konsultasi dokter"),
    # Seed 004: BPJS Ketenagakerjaan pays the consultation, refunded when the papers follow within 2x24 hours.
    (GuarantorKind.BPJS_KETENAGAKERJAAN, PatientVisit.ANY, TariffCondition.STANDARD, 40_000, "Konsultasi dokter"),
]
PUSKESMAS_TARIFFS = [
    # Seed 003 step 7: residents with their papers are seen free; the others pay the retribution.
    (GuarantorKind.SELF_PAY, PatientVisit.NEW, TariffCondition.NON_RESIDENT, 15_000, "Retribusi pelayanan"),
    (GuarantorKind.SELF_PAY, PatientVisit.RETURNING, TariffCondition.NON_RESIDENT, 10_000, "Retribusi pelayanan"),
]
PUSKESMAS_AREA = [("Kota Denpasar", "Denpasar Selatan")]


def _tariffs(facility, rows) -> None:
    for kind, visit, condition, amount, name in rows:
        Tariff.objects.get_or_create(
            facility=facility,
            guarantor_kind=kind,
            visit=visit,
            condition=condition,
            active=True,
            defaults={"amount": amount, "name": name},
        )


def load() -> dict[str, int]:
    facilities = facility_demo.load()
    _tariffs(facilities["rsud"], RSUD_TARIFFS)
    _tariffs(facilities["puskesmas"], PUSKESMAS_TARIFFS)
    for regency, district in PUSKESMAS_AREA:
        ServiceArea.objects.get_or_create(facility=facilities["puskesmas"], regency=regency, district=district)
    for email, name, group, role in (
        (DEMO_CASHIER_EMAIL, "Rina Kasir", CASHIER_GROUP, FacilityRole.CASHIER),
        (DEMO_SUPERVISOR_EMAIL, "Bagus Supervisor Kasir", SUPERVISOR_GROUP, FacilityRole.CASHIER_SUPERVISOR),
    ):
        user = _ensure(email, name, is_staff=True)
        user.groups.add(cashier_group_ensure(group))
        for facility in facilities.values():
            FacilityMembership.objects.get_or_create(user=user, facility=facility, role=role)
    return {"tariffs": Tariff.objects.count()}
