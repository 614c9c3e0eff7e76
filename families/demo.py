"""Demo patients for `manage.py loaddemo` (listed in the README); safe to run again.

The demo patient account (Budi Santoso) gets himself (with an MRN) and his daughter Rina,
added online as a new patient without an MRN. The index also holds patients linked to no
account, to try the "Existing patient" tab (MRN + date of birth) and, for Rina, the
"Cek Nomor Rekam Medis" merge on her edit page.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.demo import DEMO_PATIENT_EMAIL
from accounts.models import User
from families.models import AccountPatient, LinkAction, LinkLog, Patient, Relationship
from families.validators import encode_nik

_ADDRESS = dict(
    address_street="Jl. Jenderal Soedirman No. 12",
    address_rt="003",
    address_rw="005",
    address_village="Sokaraja Kulon",
    address_district="Sokaraja",
    address_regency="Kabupaten Banyumas",
    address_province="Jawa Tengah",
)
KK_NUMBER = "3302012006100001"

SELF = dict(
    mrn="00012345",
    full_name="Budi Santoso",
    sex="L",
    birth_place="Banyumas",
    birth_date=dt.date(1985, 4, 12),
    nik=encode_nik(region="330201", birth_date=dt.date(1985, 4, 12), sex="L", serial="0001"),
    kk_number=KK_NUMBER,
    phone="+6281234567890",
    religion="islam",
    blood_type="O",
    marital_status="kawin",
    education="s1",
    occupation="swasta",
    mother_name="Sumarni",
    bpjs_number="0001234567890",
    **_ADDRESS,
)
CHILD = dict(
    full_name="Rina Santoso",
    sex="P",
    birth_place="Banyumas",
    birth_date=dt.date(2016, 6, 20),
    nik=encode_nik(region="330201", birth_date=dt.date(2016, 6, 20), sex="P", serial="0003"),
    kk_number=KK_NUMBER,
    phone="+6281234567890",
    religion="islam",
    blood_type="O",
    marital_status="belum_kawin",
    education="sd",
    occupation="pelajar",
    mother_name="Wulan Sari",
    **_ADDRESS,
)
# Existing patients, linked to no account. README lists MRN and date of birth.
EXISTING = [
    dict(
        mrn="00012350",
        full_name="Siti Aminah",
        sex="P",
        birth_date=dt.date(1958, 8, 17),
        birth_place="Purwokerto",
        nik=encode_nik(region="330215", birth_date=dt.date(1958, 8, 17), sex="P", serial="0002"),
        religion="islam",
        blood_type="B",
        marital_status="cerai_mati",
        education="sd",
        occupation="irt",
        mother_name="Painem",
        phone="+6285712345678",
        **_ADDRESS,
    ),
    # An old paper-era record: no NIK and no address yet, to show "complete the missing data".
    dict(mrn="00012351", full_name="Slamet Riyadi", sex="L", birth_date=dt.date(1950, 1, 5), birth_place="Cilacap"),
    dict(
        mrn="00012352",
        full_name="Dewi Lestari",
        sex="P",
        birth_date=dt.date(1992, 11, 30),
        birth_place="Banyumas",
        nik=encode_nik(region="330202", birth_date=dt.date(1992, 11, 30), sex="P", serial="0007"),
        religion="kristen",
        blood_type="A",
        marital_status="kawin",
        education="diploma",
        occupation="pns",
        mother_name="Maria Ningsih",
        phone="+6281398765432",
        **_ADDRESS,
    ),
    # Rina's record from an earlier visit, made before she had a NIK: attach it from her edit page.
    dict(mrn="00012347", full_name="Rina Santoso", sex="P", birth_date=dt.date(2016, 6, 20), birth_place="Banyumas"),
]


def _link(account: User, patient: Patient, relationship: str) -> None:
    if relationship == Relationship.SELF and account.patient_links.filter(relationship=Relationship.SELF).exists():
        return  # the holder already added themselves by hand: keep theirs
    _link_row, created = AccountPatient.objects.get_or_create(
        account=account,
        patient=patient,
        defaults={"relationship": relationship, "verified_at": timezone.now()},  # the demo family's own records
    )
    if created:
        LinkLog.objects.create(
            account=account,
            patient=patient,
            patient_ref=patient.pk,
            actor=None,
            action=LinkAction.CREATED,
            relationship=relationship,
            note="demo data",
        )


def load() -> dict[str, Patient]:
    """Idempotent: keyed on MRN for index records and on NIK for Rina (who may have been merged)."""
    patients = {}
    for data in EXISTING:
        patients[data["mrn"]], _created = Patient.objects.get_or_create(mrn=data["mrn"], defaults=data)
    patients["self"], _created = Patient.objects.get_or_create(mrn=SELF["mrn"], defaults=SELF)
    patients["child"], _created = Patient.objects.get_or_create(nik=CHILD["nik"], defaults=CHILD)
    account = User.objects.filter(email=DEMO_PATIENT_EMAIL).first()
    if account is not None:
        _link(account, patients["self"], Relationship.SELF)
        _link(account, patients["child"], Relationship.CHILD)
    return patients
