"""The WS RS request bodies, field by field as BPJS names them (reference antrean-ws.md §1).

Forms own the formats; rules that need the database are in services.py. The families and
guarantors validators are the owners of NIK, KK, card, referral, phone and birth-date checks.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import Sex
from accounts.phone import normalize_mobile
from families.validators import normalize_mrn, validate_birth_date, validate_kk, validate_nik
from guarantors.validators import validate_card_number, validate_referral_number
from queueing.models import BpjsVisitKind

_JAMPRAKTEK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DIGITS = re.compile(r"^[0-9]{1,16}$")


def _required(name: str) -> dict:
    return {"required": _("%(field)s is required.") % {"field": name}}


class WsForm(forms.Form):
    """Every field named as BPJS names it; the first error is what the patient reads."""

    def __init__(self, data: dict[str, str]) -> None:
        super().__init__(data)
        for name, field in self.fields.items():
            field.error_messages.update(_required(name))

    def first_error(self) -> ValidationError:
        field, errors = next(iter(self.errors.as_data().items()))
        return ValidationError({field: errors[0]})

    def checked(self) -> dict:
        if not self.is_valid():
            raise self.first_error()
        return self.cleaned_data


def _date(value: str) -> dt.date:
    try:
        if _DATE.match(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise ValidationError(_("Use the date format yyyy-mm-dd, e.g. 2026-12-01."), code="date_format")


class DateField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return _date(value) if value else None


class JamPraktekField(forms.CharField):
    """ "08:00-12:00" -> (time(8), time(12)); no seconds, start before end."""

    def clean(self, value):
        value = super().clean(value)
        match = _JAMPRAKTEK.match(value or "")
        if not match:
            raise ValidationError(_("Use the practice hours format HH:MM-HH:MM, e.g. 08:00-12:00."), code="jam_format")
        start = dt.time(int(match[1]), int(match[2]))
        end = dt.time(int(match[3]), int(match[4]))
        if end <= start:
            raise ValidationError(_("The practice must end after it starts."), code="jam_order")
        return start, end


class DoctorCodeField(forms.CharField):
    """kodedokter: BPJS's (HFIS) doctor number; sent as a number, compared as text without leading zeros."""

    def clean(self, value):
        value = super().clean(value)
        if not _DIGITS.match(value or ""):
            raise ValidationError(_("The doctor code is a number."), code="doctor_code_format")
        return value.lstrip("0") or "0"


class ScheduleForm(WsForm):
    kodepoli = forms.CharField(max_length=8)
    kodedokter = DoctorCodeField()
    tanggalperiksa = DateField()
    jampraktek = JamPraktekField()


class StatusForm(ScheduleForm):
    """Status Antrean."""


class AmbilForm(ScheduleForm):
    """Ambil Antrean: nomorkartu empty for a non-JKN patient, who then needs no referral."""

    nomorkartu = forms.CharField(required=False)
    nik = forms.CharField()
    nohp = forms.CharField()
    norm = forms.CharField(required=False)
    jeniskunjungan = forms.ChoiceField(choices=BpjsVisitKind.choices)
    nomorreferensi = forms.CharField(required=False)

    field_order = [
        "nomorkartu",
        "nik",
        "nohp",
        "kodepoli",
        "norm",
        "tanggalperiksa",
        "kodedokter",
        "jampraktek",
        "jeniskunjungan",
        "nomorreferensi",
    ]

    def clean_nomorkartu(self) -> str:
        value = self.cleaned_data["nomorkartu"]
        return validate_card_number(value) if value else ""

    def clean_nik(self) -> str:
        return validate_nik(self.cleaned_data["nik"])

    def clean_nohp(self) -> str:
        return normalize_mobile(self.cleaned_data["nohp"])

    def __init__(self, data: dict[str, str], *, facility=None) -> None:
        super().__init__(data)
        self.facility = facility  # medical record numbers are per facility (their width too)

    def clean_norm(self) -> str:
        value = self.cleaned_data["norm"]
        return normalize_mrn(value, self.facility) if value else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["nomorkartu"]:
            # A JKN visit needs its referral or control letter number.
            try:
                cleaned["nomorreferensi"] = validate_referral_number(cleaned["nomorreferensi"])
            except ValidationError as exc:
                self.add_error("nomorreferensi", exc)
        else:
            cleaned["nomorreferensi"] = ""
        return cleaned


class BookingCodeForm(WsForm):
    kodebooking = forms.CharField(max_length=32)

    def clean_kodebooking(self) -> str:
        return self.cleaned_data["kodebooking"].upper()


class SisaForm(BookingCodeForm):
    """Sisa Antrean."""


class BatalForm(BookingCodeForm):
    """Batal Antrean."""

    keterangan = forms.CharField(max_length=300)


class CheckinForm(BookingCodeForm):
    """Check-in: waktu is epoch milliseconds."""

    waktu = forms.CharField()

    def clean_waktu(self) -> dt.datetime:
        value = self.cleaned_data["waktu"]
        if not re.fullmatch(r"[0-9]{10,14}", value):
            raise ValidationError(_("waktu is a time in milliseconds since 1970."), code="waktu_format")
        return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)


class PasienBaruForm(WsForm):
    """Info Pasien Baru: every field required and checked (mLITE does the same)."""

    nomorkartu = forms.CharField()
    nik = forms.CharField()
    nomorkk = forms.CharField()
    nama = forms.CharField(max_length=150)
    jeniskelamin = forms.ChoiceField(choices=Sex.choices)
    tanggallahir = DateField()
    nohp = forms.CharField()
    alamat = forms.CharField(max_length=200)
    kodeprop = forms.CharField(max_length=8)
    namaprop = forms.CharField(max_length=100)
    kodedati2 = forms.CharField(max_length=8)
    namadati2 = forms.CharField(max_length=100)
    kodekec = forms.CharField(max_length=12)
    namakec = forms.CharField(max_length=100)
    kodekel = forms.CharField(max_length=16)
    namakel = forms.CharField(max_length=100)
    rw = forms.CharField(max_length=3)
    rt = forms.CharField(max_length=3)

    def clean_nomorkartu(self) -> str:
        return validate_card_number(self.cleaned_data["nomorkartu"])

    def clean_nik(self) -> str:
        return validate_nik(self.cleaned_data["nik"])

    def clean_nomorkk(self) -> str:
        return validate_kk(self.cleaned_data["nomorkk"])

    def clean_nohp(self) -> str:
        return normalize_mobile(self.cleaned_data["nohp"])

    def clean_tanggallahir(self) -> dt.date:
        return validate_birth_date(self.cleaned_data["tanggallahir"])

    def _rt_rw(self, name: str) -> str:
        value = self.cleaned_data[name]
        if not (value.isascii() and value.isdigit()):
            raise ValidationError(_("Enter up to 3 digits, e.g. 004."), code="rt_rw_format")
        return value.zfill(3)

    def clean_rw(self) -> str:
        return self._rt_rw("rw")

    def clean_rt(self) -> str:
        return self._rt_rw("rt")


class OperasiRsForm(WsForm):
    """Jadwal Operasi RS."""

    tanggalawal = DateField()
    tanggalakhir = DateField()

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and cleaned["tanggalawal"] > cleaned["tanggalakhir"]:
            raise ValidationError(_("tanggalawal cannot be after tanggalakhir."), code="range_reversed")
        return cleaned


class OperasiPasienForm(WsForm):
    """Jadwal Operasi Pasien."""

    nopeserta = forms.CharField()

    def clean_nopeserta(self) -> str:
        return validate_card_number(self.cleaned_data["nopeserta"])
