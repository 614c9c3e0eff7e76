"""Issue 10 §1: who may see and do what with a patient shared by several accounts.

Sari booked her own queue online; at the counter a clerk registered her for another day.
Her husband holds her through a verified link; Maya linked her by MRN + birth date only.
An online booking belongs to the account that made it; a counter booking to the patient
(read by verified links). Everyone else learns only that the patient has a queue that day.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import make_account
from families import services as family_services
from families.models import AccountPatient, DocumentKind, IdentityDocument, Patient
from portal.lib.uploads import clean_upload
from queueing import selectors
from queueing.models import Booking, BookingChannel, BookingStatus

pytestmark = pytest.mark.usefixtures("umum")

OWNER, VERIFIED, UNVERIFIED = "owner", "verified", "unverified"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def family(patient, member, gigi_tomorrow, tomorrow, book, clerk):
    """The three accounts, Sari's online booking (tomorrow) and her counter booking (the day after)."""
    husband = make_account("suami@example.com", "Suami Sari", sex="L")
    maya = make_account("maya@example.com", "Maya Orang Lain")
    AccountPatient.objects.create(account=husband, patient=member, relationship="spouse", verified_at=timezone.now())
    AccountPatient.objects.create(account=maya, patient=member, relationship="other")  # MRN + birth date only
    online = book(member, gigi_tomorrow, tomorrow)
    later = tomorrow + dt.timedelta(days=1)
    schedule = gigi_tomorrow.__class__.objects.get(clinic=gigi_tomorrow.clinic, weekday=later.weekday())
    counter = book(member, schedule, later)  # then made what the counter desk writes: the clerk's, channel counter
    Booking.objects.filter(pk=counter.pk).update(channel=BookingChannel.COUNTER, counter_place=True, account=clerk)
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(image, "PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    family_services.document_store(
        actor=patient,
        patient=member,
        kind=DocumentKind.KTP,
        upload=clean_upload(SimpleUploadedFile("ktp.png", image.getvalue(), content_type="image/png")),
    )
    return {
        "accounts": {OWNER: patient, VERIFIED: husband, UNVERIFIED: maya},
        "online": online,
        "counter": Booking.objects.get(pk=counter.pk),
        "member": member,
    }


# (booking, persona) -> may read and act on it
BOOKING_MATRIX = [
    ("online", OWNER, True),
    ("online", VERIFIED, False),
    ("online", UNVERIFIED, False),
    ("counter", OWNER, True),
    ("counter", VERIFIED, True),
    ("counter", UNVERIFIED, False),
]
PAGES = ["queueing:booking_detail", "queueing:booking_slip_pdf", "queueing:booking_print", "queueing:booking_cancel"]


@pytest.mark.parametrize("which, persona, allowed", BOOKING_MATRIX)
@pytest.mark.parametrize("page", PAGES)
def test_booking_pages(client, family, which, persona, allowed, page):
    booking = family[which]
    assert booking.number is not None  # instant mode: printable, so 200 means the slip itself
    client.force_login(family["accounts"][persona])
    response = client.get(reverse(page, args=[booking.code]))
    assert response.status_code == (200 if allowed else 404)
    if page == "queueing:booking_slip_pdf" and allowed:
        assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("which, persona, allowed", BOOKING_MATRIX)
def test_booking_cancel_post(client, family, which, persona, allowed):
    booking = family[which]
    client.force_login(family["accounts"][persona])
    response = client.post(reverse("queueing:booking_cancel", args=[booking.code]))
    assert response.status_code == (302 if allowed else 404)
    booking.refresh_from_db()
    assert (booking.status == BookingStatus.CANCELLED) == allowed


@pytest.mark.parametrize("which, persona, allowed", BOOKING_MATRIX)
@pytest.mark.parametrize("url_name", ["dashboard", "queueing:booking_list"])
def test_listings_show_the_booking_or_only_that_a_queue_exists(client, family, which, persona, allowed, url_name):
    booking = family[which]
    client.force_login(family["accounts"][persona])
    page = client.get(reverse(url_name)).content.decode()
    detail_url = reverse("queueing:booking_detail", args=[booking.code])
    assert (detail_url in page) == allowed
    if not allowed:
        assert 'id="other-queues"' in page and booking.date.strftime("%Y") in page
        i = page.find(booking.code)
        assert i == -1, page[max(i - 300, 0) : i + 100]


# persona -> (reads full NIK and documents, changes filled fields)
MEMBER_MATRIX = [(OWNER, True), (VERIFIED, True), (UNVERIFIED, False)]


@pytest.mark.parametrize("persona, verified", MEMBER_MATRIX)
def test_member_identity_and_documents(client, family, persona, verified):
    member = family["member"]
    client.force_login(family["accounts"][persona])
    page = client.get(reverse("families:member_edit", args=[member.pk])).content.decode()
    assert (member.nik in page) == verified
    assert member.masked_nik in client.get(reverse("dashboard")).content.decode()
    document = IdentityDocument.objects.get(patient=member, kind=DocumentKind.KTP)
    response = client.get(reverse("families:document_view", args=[document.pk]))
    assert response.status_code == (200 if verified else 404)


@pytest.mark.parametrize("persona, verified", MEMBER_MATRIX)
def test_member_edit_of_filled_fields(client, family, persona, verified):
    member = family["member"]
    client.force_login(family["accounts"][persona])
    form = client.get(reverse("families:member_edit", args=[member.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(phone="0899-1111-2222", relationship=data["relationship"] or "other")
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    response = client.post(reverse("families:member_edit", args=[member.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert (Patient.objects.get(pk=member.pk).phone == "+6289911112222") == verified


def test_the_wizard_never_prefills_the_bpjs_number_for_an_unverified_link(family):
    member = family["member"]
    Patient.objects.filter(pk=member.pk).update(bpjs_number="0001234567890")
    for persona, shown in ((OWNER, "0001234567890"), (UNVERIFIED, "")):
        patient = selectors.bookable_patients(family["accounts"][persona]).get(pk=member.pk)
        assert selectors.readable_bpjs_number(patient) == shown


def test_an_unverified_link_may_still_book(client, family, gigi_tomorrow, tomorrow, book):
    maya = family["accounts"][UNVERIFIED]
    Booking.objects.filter(pk=family["online"].pk).update(status=BookingStatus.CANCELLED)
    booking = book(family["member"], gigi_tomorrow, tomorrow, account=maya)
    assert booking.account == maya
    client.force_login(maya)
    assert client.get(reverse("queueing:booking_detail", args=[booking.code])).status_code == 200
    client.force_login(family["accounts"][OWNER])  # and now it is Maya's: Sari sees only that a queue exists
    assert client.get(reverse("queueing:booking_detail", args=[booking.code])).status_code == 404
