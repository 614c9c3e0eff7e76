"""Family fixtures: Sari's family, an unlinked hospital record, valid form data, private storage."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from families.models import AccountPatient, LinkAction, LinkLog, Patient, Relationship
from families.validators import encode_nik
from portal.tests.hostile_files import plain_pdf

SARI_BIRTH = dt.date(1988, 3, 14)
SARI_NIK = encode_nik(region="330201", birth_date=SARI_BIRTH, sex="P", serial="0001")
KK = "3302011503120004"


def patient_values(**overrides) -> dict:
    """A complete, valid patient record (model values)."""
    birth = overrides.pop("birth_date", dt.date(2015, 7, 9))
    sex = overrides.pop("sex", "L")
    values = dict(
        full_name="Adi Wibowo",
        sex=sex,
        birth_date=birth,
        birth_place="Purwokerto",
        nik=encode_nik(region="330202", birth_date=birth, sex=sex, serial="0042"),
        kk_number=KK,
        address_street="Jl. Kenanga 5",
        address_rt="002",
        address_rw="004",
        address_village="Karangpucung",
        address_district="Purwokerto Selatan",
        address_regency="Kabupaten Banyumas",
        address_province="Jawa Tengah",
        phone="+6281211112222",
        religion="islam",
        blood_type="A",
        marital_status="belum_kawin",
        education="sd",
        occupation="pelajar",
        mother_name="Sari Wulandari",
    )
    values.update(overrides)
    return values


def form_data(**overrides) -> dict:
    """POST data for the new-member form, as a browser would send it."""
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in patient_values().items()}
    data.update(relationship="child", phone="0812-1111-2222")
    data.update(overrides)
    return data


def make_patient(**overrides) -> Patient:
    return Patient.objects.create(**patient_values(**overrides))


def link(account, patient: Patient, relationship: str = Relationship.CHILD, *, verified: bool = True) -> AccountPatient:
    result = AccountPatient.objects.create(
        account=account, patient=patient, relationship=relationship, verified_at=timezone.now() if verified else None
    )
    LinkLog.objects.create(
        account=account, patient=patient, patient_ref=patient.pk, action=LinkAction.CREATED, relationship=relationship
    )
    return result


@pytest.fixture
def sari_self(patient) -> Patient:
    """Sari herself, registered at the hospital (MRN 00000101)."""
    own = make_patient(
        full_name="Sari Wulandari",
        sex="P",
        birth_date=SARI_BIRTH,
        nik=SARI_NIK,
        mrn="00000101",
        marital_status="kawin",
        education="sma",
        occupation="irt",
        mother_name="Partini",
    )
    link(patient, own, Relationship.SELF)
    return own


@pytest.fixture
def sari_child(patient) -> Patient:
    """Adi, Sari's son, added online as a new patient (no MRN yet)."""
    child = make_patient()
    link(patient, child, Relationship.CHILD)
    return child


@pytest.fixture
def hospital_record(db) -> Patient:
    """A patient in the index, linked to no account: MRN 00123456, born 9 July 2015, no NIK."""
    return Patient.objects.create(
        mrn="00123456",
        full_name="Adi Wibowo",
        sex="L",
        birth_date=dt.date(2015, 7, 9),
        birth_place="Purwokerto",
    )


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test writes uploads to its own private folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


def image_bytes(fmt: str = "JPEG", size=(60, 40), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCameraMaker"  # Make
        tags[0x0112] = 6  # Orientation: rotate 90
        kwargs["exif"] = tags.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A real one-page PDF (PDFium must be able to draw it: every stored PDF is rebuilt from its pages)."""
    return plain_pdf()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
