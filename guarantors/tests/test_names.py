"""Name comparison: tolerant of how names are typed, strict about different people."""

from __future__ import annotations

import pytest

from guarantors.names import names_match


@pytest.mark.parametrize(
    "typed, bpjs",
    [
        ("Budi Santoso", "BUDI SANTOSO"),
        ("  budi   santoso ", "BUDI SANTOSO"),
        ("Santoso Budi", "BUDI SANTOSO"),
        ("H. Ahmad Fauzi", "AHMAD FAUZI"),
        ("Musdiwar", "MUSDIWAR,BA"),
        ("M. Rizki Ramadhan", "MUHAMMAD RIZKI RAMADHAN"),
        ("Muhamad Rizki", "MUHAMMAD RIZKI"),
        ("Budi Santoso", "BUDI SANTOSO WIBOWO"),
        ("Sukarno", "SUKARNO"),
        ("Ma'ruf Amin", "MARUF AMIN"),
        ("Néné Suryani", "NENE SURYANI"),
    ],
)
def test_the_same_person_matches(typed, bpjs):
    assert names_match(typed, bpjs)


@pytest.mark.parametrize(
    "typed, bpjs",
    [
        ("Sari Wulandari", "BUDI SANTOSO"),
        ("Budi", "BUDI SANTOSO"),
        ("Budi Susanto", "BUDI SANTOSO"),
        ("Siti Aminah", "SITI RAHMAWATI"),
        ("", "BUDI SANTOSO"),
        ("...", "BUDI SANTOSO"),
    ],
)
def test_different_people_do_not_match(typed, bpjs):
    assert not names_match(typed, bpjs)
