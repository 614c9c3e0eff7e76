"""The report page and its downloads: who may see which facility, and what the files hold."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pypdfium2
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from facilities.models import FacilityRole
from queueing.desk.services import clerk_group_ensure
from queueing.models import BookingStatus
from reports.tests.conftest import make_clinic, make_patient, staff_member

pytestmark = pytest.mark.django_db

URL = reverse("reports:outpatient")
NOVEMBER = {"month": "2026-11"}


@pytest.fixture
def world(visits, rsud, puskesmas):
    """Two RSUD visits at Poli Gigi and three at the puskesmas's Poli KIA in November 2026, one no-show."""
    gigi = make_clinic(rsud, "GIGI", "Poli Gigi")
    kia = make_clinic(puskesmas, "KIA", "Poli KIA")
    visits.add(make_patient(sex="L"), gigi, dt.date(2026, 11, 2))
    visits.add(make_patient(), gigi, dt.date(2026, 11, 3))
    for day in (2, 3, 4):
        visits.add(make_patient(), kia, dt.date(2026, 11, day))
    visits.add(make_patient(), kia, dt.date(2026, 11, 4), status=BookingStatus.NO_SHOW)
    return {
        "rsud": rsud,
        "puskesmas": puskesmas,
        "clerk_a": staff_member("clerk.a@rsud.example", rsud),
        "clerk_b": staff_member("clerk.b@pkm.example", puskesmas),
    }


def _summary(response) -> dict[str, str]:
    """The summary table's figures as shown: {label: number}."""
    table = response.content.decode().split('id="table-summary"')[1].split("</table>")[0]
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td class="text-end">(\d+)</td>', table))


def test_a_clerk_sees_their_facility_s_report_with_three_charts(client, world):
    client.force_login(world["clerk_a"])
    response = client.get(URL, NOVEMBER)
    assert response.status_code == 200
    body = response.content.decode()
    assert _summary(response)["Kunjungan"] == "2"
    assert "Poli Gigi" in body and "Poli KIA" not in body
    for key in ("chart-clinics", "chart-days", "chart-ages"):
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in body and f'id="{key}"' in body
    # The page's CSP forbids style attributes: the charts carry none.
    assert " style=" not in body


def test_a_clerk_of_one_facility_gets_404_for_the_other_s_report_and_files(client, world):
    client.force_login(world["clerk_a"])
    other = {**NOVEMBER, "facility": world["puskesmas"].pk}
    for name in ("outpatient", "outpatient_pdf", "outpatient_xlsx", "outpatient_csv"):
        assert client.get(reverse(f"reports:{name}"), other).status_code == 404, name
    assert client.get(URL, {**NOVEMBER, "facility": "x"}).status_code == 404
    # ...and cannot sum all facilities either: an empty choice is their own facility.
    response = client.get(URL, {**NOVEMBER, "facility": ""})
    assert _summary(response)["Kunjungan"] == "2"


def test_the_other_facility_s_clerk_sees_that_report(client, world):
    client.force_login(world["clerk_b"])
    response = client.get(URL, {**NOVEMBER, "facility": world["puskesmas"].pk})
    assert response.status_code == 200
    assert _summary(response)["Kunjungan"] == "3" and _summary(response)["Tidak datang"] == "1"


def test_the_health_office_sees_every_facility_summed_and_each_one(client, world):
    office = staff_member("dinkes@kota.example", world["rsud"], FacilityRole.HEALTH_OFFICE)
    client.force_login(office)
    response = client.get(URL, NOVEMBER)
    assert response.status_code == 200
    assert _summary(response)["Kunjungan"] == "5"
    body = response.content.decode()
    assert "Poli Gigi" in body and "Poli KIA" in body
    assert "Pasien" not in body  # counts only: no patient's name
    one = client.get(URL, {**NOVEMBER, "facility": world["puskesmas"].pk})
    assert _summary(one)["Kunjungan"] == "3"


def test_people_without_a_report_role_get_404_and_anonymous_the_login(client, world, patient):
    assert client.get(URL).status_code == 302
    client.force_login(patient)
    assert client.get(URL).status_code == 404
    nurse = staff_member("nurse@rsud.example", world["rsud"], FacilityRole.NURSE)
    client.force_login(nurse)
    assert client.get(URL).status_code == 404
    nurse.user_permissions.add(Permission.objects.get(codename="view_outpatient_report"))
    client.force_login(nurse)
    assert client.get(URL, NOVEMBER).status_code == 200


def test_a_bad_month_is_an_error_under_the_field_not_a_500(client, world):
    client.force_login(world["clerk_a"])
    response = client.get(URL, {"month": "2026-13"})
    assert response.status_code == 400
    assert response.context["asked"].form.errors["month"][0].startswith("Masukkan bulan")
    response = client.get(URL, {"month": "2026-11", "day": "2026-12-01"})
    assert response.context["asked"].form.has_error("day", "day_outside_month")


def test_one_day_s_figures_from_the_month_s_day_link(client, world):
    client.force_login(world["clerk_a"])
    response = client.get(URL, {**NOVEMBER, "day": "2026-11-03"})
    assert response.status_code == 200
    assert _summary(response)["Kunjungan"] == "1"
    assert 'id="chart-days"' not in response.content.decode()  # one point is no line


def _pdf_text(content: bytes) -> str:
    pdf = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def test_the_pdf_holds_the_report_s_text(client, world):
    client.force_login(world["clerk_b"])
    response = client.get(reverse("reports:outpatient_pdf"), {**NOVEMBER, "facility": world["puskesmas"].pk})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Laporan bulanan rawat jalan" in text
    assert "Puskesmas Denpasar Selatan" in text and "November 2026" in text
    assert "Poli KIA" in text and "Poli Gigi" not in text
    assert "20-44 tahun" in text and "Waktu tunggu" in text


@pytest.fixture
def hostile(visits, rsud, guarantors):
    """A clinic and a guarantor whose names a spreadsheet would run as formulas."""
    clinic = make_clinic(rsud, "EVIL", '=HYPERLINK("http://evil.example","klik")')
    guarantor = guarantors["umum"]
    guarantor.name = "+cmd|' /C calc'!A0"
    guarantor.save()
    visits.add(make_patient(), clinic, dt.date(2026, 11, 2), guarantor=guarantor)
    visits.add(make_patient(), clinic, dt.date(2026, 11, 2), guarantor=guarantor)
    return staff_member("clerk.a@rsud.example", rsud)


def test_the_csv_escapes_cells_a_spreadsheet_would_run(client, hostile):
    client.force_login(hostile)
    response = client.get(reverse("reports:outpatient_csv"), NOVEMBER)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","klik")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert ["Kunjungan", "2"] in rows  # numbers stay numbers


def test_the_xlsx_holds_the_same_tables_as_text_never_formulas(client, hostile):
    client.force_login(hostile)
    response = client.get(reverse("reports:outpatient_xlsx"), NOVEMBER)
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        names = book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode()
        sheets = "".join(book.read(name).decode() for name in names if name.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula anywhere
    assert "&apos;=HYPERLINK" in strings or "'=HYPERLINK" in strings
    assert "'+cmd" in strings or "&apos;+cmd" in strings
    assert sum(1 for name in names if name.startswith("xl/worksheets/sheet")) == 7


def test_the_health_office_page_and_the_counter_link_to_the_report(client, world):
    office = staff_member("dinkes@kota.example", world["rsud"], FacilityRole.HEALTH_OFFICE)
    client.force_login(office)
    assert f'href="{URL}"' in client.get(reverse("queueing:office_figures")).content.decode()
    clerk = world["clerk_a"]
    clerk.groups.add(clerk_group_ensure())
    client.force_login(clerk)
    assert f'href="{URL}"' in client.get(reverse("queueing:desk_home")).content.decode()
