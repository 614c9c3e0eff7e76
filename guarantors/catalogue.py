"""The default guarantor types of SOP 004 (RSUD outpatient registration flow), as plain data.

FROZEN: migration 0003 loads `SEED_004_V1`. To change the defaults, add a new data migration
(and a `SEED_004_V2`) instead of editing this list; hospitals edit their own rows in the admin.

Names, notes and document names are data printed for Indonesian patients, so they stay in
Indonesian as the SOP writes them. Only obvious misspellings of the scan were fixed
("eligibelitas", "Ketenagkerjaan", "stemple", "jasarharja") and unclosed brackets closed.
Jasa Raharja and private insurance are not listed in SOP 004: their lists are a starting
point for the hospital to confirm (see the report).
"""

from __future__ import annotations

from typing import Any

_JKK_COMMON_HEAD = [
    "Ket. Kronologis kecelakaan",
    "Form cek eligibilitas",
    "Form. 3B KK3",
    "FC KTP",
    "FC Kartu BPJS Ketenagakerjaan",
    "Form. 3 KK1",
    "Form. 3 KK2",
]
_JKK_COMMON_TAIL = [
    "FC KTP 2 orang saksi",
    "Surat pernyataan BPJS Ketenagakerjaan",
    "Berita acara dari pihak pelapor",
    "Surat kronologis dari perusahaan",
    "Jadwal kerja di TTD stempel perusahaan",
    "Absensi (bulan kecelakaan) di TTD stempel perusahaan",
    "Surat perintah lembur (jika lembur) di TTD stempel perusahaan",
    "Suket. Domisili (jika alamat tdk sesuai dg lokasi tempat tinggal)",
    "Surat rujukan (jika kec. kerja lanjutan)",
]
_JKK_NOTE = (
    "Bayar konsultasi sebagai pasien umum di kasir; biaya dapat dikembalikan kepada pasien jika "
    "persyaratan pemberkasan lengkap dalam 2x24 jam."
)

SEED_004_V1: tuple[dict[str, Any], ...] = (
    dict(
        code="umum",
        name="Umum (bayar sendiri)",
        kind="umum",
        sort_order=10,
        description="Bayar biaya konsultasi di kasir sebelum ke poliklinik.",
        required_documents=["Tanda pengenal (KTP/KK)"],
    ),
    dict(
        code="bpjs-kesehatan",
        name="BPJS Kesehatan",
        kind="bpjs_kesehatan",
        sort_order=20,
        needs_card_number=True,
        card_number_label="Nomor kartu BPJS Kesehatan",
        card_number_pattern=r"^[0-9]{13}$",
        needs_referral=True,
        description=(
            "Masukkan nomor kartu BPJS Kesehatan (13 digit) dan nomor rujukan. Rujukan berlaku 90 hari "
            "dan harus untuk poliklinik yang dipilih. Pasien usia 17 tahun ke atas melakukan sidik jari "
            "di Anjungan Pendaftaran Mandiri (APM)."
        ),
        required_documents=["Tanda pengenal (KTP/KK)", "Kartu BPJS Kesehatan", "Surat rujukan (FKTP/rumah sakit)"],
    ),
    dict(
        code="bpjs-tk-tempat-kerja",
        name="BPJS Ketenagakerjaan – kecelakaan kerja di tempat kerja",
        kind="bpjs_ketenagakerjaan",
        sort_order=30,
        description=_JKK_NOTE,
        required_documents=_JKK_COMMON_HEAD + _JKK_COMMON_TAIL,
    ),
    dict(
        code="bpjs-tk-jalan",
        name="BPJS Ketenagakerjaan – kecelakaan kerja di jalan umum",
        kind="bpjs_ketenagakerjaan",
        sort_order=31,
        description=_JKK_NOTE,
        required_documents=_JKK_COMMON_HEAD + ["Surat laporan kepolisian", "Surat Jasa Raharja"] + _JKK_COMMON_TAIL,
    ),
    dict(
        code="taspen",
        name="TASPEN",
        kind="taspen",
        sort_order=40,
        needs_letter_upload=True,
        description="Serahkan persyaratan di loket pendaftaran.",
        required_documents=[
            "E-KTP",
            "KK (Kartu Keluarga)",
            "Surat Jaminan TASPEN",
            "Surat pernyataan kronologis kejadian",
            "FC Kartu BPJS Kesehatan",
            "FC Kartu TASPEN",
        ],
    ),
    dict(
        code="jpkmkt-lapas",
        name="JPKMKT – warga binaan lapas",
        kind="jpkmkt",
        sort_order=50,
        needs_letter_upload=True,
        description="Jika kartu BPJS Kesehatan aktif, maka penjamin pertama adalah BPJS Kesehatan.",
        required_documents=[
            "E-KTP",
            "Kartu BPJS Kesehatan",
            "Rujukan FKTP",
            "Surat pengantar dari LAPAS",
            "Surat rekomendasi DINSOS",
        ],
    ),
    dict(
        code="jpkmkt-kekerasan",
        name="JPKMKT – korban kekerasan",
        kind="jpkmkt",
        sort_order=51,
        needs_letter_upload=True,
        description="Jika kartu BPJS Kesehatan aktif, maka penjamin pertama adalah BPJS Kesehatan.",
        required_documents=[
            "E-KTP",
            "KK (Kartu Keluarga)",
            "Surat kronologis kejadian",
            "Surat kepolisian",
            "Surat rekomendasi DINSOS",
            "Suket. Domisili (jika alamat tdk sesuai dg lokasi tempat tinggal)",
        ],
    ),
    dict(
        code="jpkmkt-terlantar",
        name="JPKMKT – orang terlantar (Mr/Mrs. X)",
        kind="jpkmkt",
        sort_order=52,
        needs_letter_upload=True,
        description="Jika kartu BPJS Kesehatan aktif, maka penjamin pertama adalah BPJS Kesehatan.",
        required_documents=["Surat rekomendasi DINSOS"],
    ),
    dict(
        code="jasa-raharja",
        name="Jasa Raharja (kecelakaan lalu lintas)",
        kind="jasa_raharja",
        sort_order=60,
        description="Untuk korban kecelakaan lalu lintas.",
        required_documents=[
            "E-KTP",
            "KK (Kartu Keluarga)",
            "Ket. Kronologis kecelakaan",
            "Surat laporan kepolisian",
            "Surat jaminan Jasa Raharja",
        ],
    ),
    dict(
        code="asuransi",
        name="Asuransi swasta / perusahaan",
        kind="asuransi",
        sort_order=70,
        needs_card_number=True,
        card_number_label="Nomor polis / kartu peserta",
        card_number_pattern=r"^[A-Za-z0-9./-]{4,30}$",
        needs_letter_upload=True,
        description="Bawa kartu peserta dan surat jaminan dari asuransi atau perusahaan.",
        required_documents=[
            "E-KTP",
            "Kartu peserta asuransi / kartu karyawan",
            "Surat jaminan dari asuransi / perusahaan",
        ],
    ),
)


def ensure_types(model: Any, rows: tuple[dict[str, Any], ...] = SEED_004_V1) -> int:
    """Create the missing default types; rows the hospital already has are left as edited. Returns how many were new."""
    created = 0
    for row in rows:
        fields = dict(row)
        _, was_created = model.objects.get_or_create(code=fields.pop("code"), defaults=fields)
        created += was_created
    return created
