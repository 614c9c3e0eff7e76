"""Identity-document uploads: type from content, size cap, EXIF stripped, private serving."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from families.forms import DocumentUploadForm
from families.models import IdentityDocument, PatientAccessLog
from families.tests.conftest import image_bytes, pdf_bytes, upload
from portal.lib.uploads import MAX_UPLOAD_BYTES, clean_upload
from portal.tests.hostile_files import PDF_ACTIVE_MARKERS, gps_jpeg, hostile_pdfs, huge_png, pdf_all_text, polyglot_jpeg

pytestmark = pytest.mark.django_db


def upload_code(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        clean_upload(upload(name, content))
    return info.value.code


def test_jpeg_is_reencoded_without_exif_and_turned_upright():
    raw = image_bytes("JPEG", size=(60, 40), exif=True)
    assert b"SecretCameraMaker" in raw
    cleaned = clean_upload(upload("ktp.jpg", raw, "image/jpeg"))
    assert cleaned.content_type == "image/jpeg" and cleaned.extension == "jpg"
    assert b"SecretCameraMaker" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert image.size == (40, 60)  # orientation 6 applied, then dropped
        assert not image.getexif()


def test_png_renamed_pdf_is_taken_for_what_it_is():
    cleaned = clean_upload(upload("kartu.pdf", image_bytes("PNG"), "application/pdf"))
    assert cleaned.content_type == "image/png" and cleaned.extension == "png"


def test_pdf_is_accepted_and_rebuilt():
    data = pdf_bytes()
    cleaned = clean_upload(upload("scan.PDF", data))
    assert cleaned.content_type == "application/pdf" and cleaned.extension == "pdf"
    assert cleaned.content.startswith(b"%PDF-") and cleaned.content != data


def test_six_megabyte_file_is_too_large():
    big = image_bytes("PNG") + b"\0" * (6 * 1024 * 1024)
    assert upload_code("big.png", big) == "file_too_large"


def test_exactly_five_megabytes_is_not_too_large_by_size():
    data = pdf_bytes() + b"%" * (MAX_UPLOAD_BYTES - len(pdf_bytes()) - 10) + b"\n%%EOF\n"
    assert len(data) <= MAX_UPLOAD_BYTES
    assert clean_upload(upload("scan.pdf", data)).content_type == "application/pdf"


@pytest.mark.parametrize(
    "name, content",
    [
        ("ktp.jpg", b"this is just text pretending to be a photo"),
        ("ktp.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("ktp.html", b"<html><script>alert(1)</script></html>"),
        ("ktp.gif", b"GIF89a\x01\x00\x01\x00"),
    ],
)
def test_anything_but_jpeg_png_or_pdf_is_refused_whatever_its_name(name, content):
    assert upload_code(name, content) == "file_type"


def test_an_empty_file_is_refused():
    assert upload_code("empty.jpg", b"") == "file_empty"


def test_truncated_image_is_refused_as_damaged():
    assert upload_code("ktp.jpg", image_bytes("JPEG")[:40]) == "file_corrupt"
    assert upload_code("ktp.png", image_bytes("PNG")[:30]) == "file_corrupt"


def test_pdf_without_end_marker_is_refused_as_damaged():
    assert upload_code("scan.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n") == "file_corrupt"


def test_upload_form_puts_the_error_under_the_file_field():
    form = DocumentUploadForm({"kind": "ktp"}, {"file": upload("a.jpg", b"text")})
    assert [e.code for e in form.errors.as_data()["file"]] == ["file_type"]
    form = DocumentUploadForm({"kind": "passport"}, {"file": upload("a.pdf", pdf_bytes())})
    assert [e.code for e in form.errors.as_data()["kind"]] == ["invalid_choice"]


# --- through the pages ------------------------------------------------------------------


def post_document(client, member, name, content, kind="ktp"):
    url = reverse("families:member_document_upload", kwargs={"patient_id": member.pk})
    return client.post(url, {"doc-kind": kind, "doc-file": upload(name, content)})


def test_member_page_upload_stores_a_private_file(patient_client, sari_child, private_media):
    response = post_document(patient_client, sari_child, "ktp.jpg", image_bytes("JPEG", exif=True))
    assert response.status_code == 302 and response.url.endswith("#dokumen")
    document = IdentityDocument.objects.get(patient=sari_child, kind="ktp")
    stored = (private_media / document.file.name).read_bytes()
    assert stored.startswith(b"\xff\xd8\xff") and b"SecretCameraMaker" not in stored


def test_bad_upload_rerenders_the_member_page_with_the_error(patient_client, sari_child):
    response = post_document(patient_client, sari_child, "ktp.jpg", b"not an image")
    assert response.status_code == 200
    assert 'id="error_1_id_doc-file"' in response.content.decode()
    assert not IdentityDocument.objects.exists()


def test_owner_sees_the_document_with_private_headers(patient_client, sari_child):
    post_document(patient_client, sari_child, "ktp.png", image_bytes("PNG"))
    document = IdentityDocument.objects.get()
    response = patient_client.get(reverse("families:document_view", kwargs={"document_id": document.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="ktp.png"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert not PatientAccessLog.objects.exists()  # the family's own views are not clerk access


def test_pdf_is_served_as_a_download(patient_client, sari_child):
    post_document(patient_client, sari_child, "kk.pdf", pdf_bytes(), kind="kk")
    document = IdentityDocument.objects.get()
    response = patient_client.get(reverse("families:document_view", kwargs={"document_id": document.pk}))
    assert response["Content-Disposition"] == 'attachment; filename="kk.pdf"'
    assert response["Content-Type"] == "application/pdf"


def test_staff_without_the_view_permission_get_a_404_like_anyone_else(patient_client, client, clerk, sari_child):
    post_document(patient_client, sari_child, "bpjs.jpg", image_bytes("JPEG"), kind="bpjs")
    document = IdentityDocument.objects.get()
    client.force_login(clerk)
    response = client.get(reverse("families:document_view", kwargs={"document_id": document.pk}))
    assert response.status_code == 404
    assert not PatientAccessLog.objects.exists()


def test_staff_may_see_a_document_and_the_view_is_logged(patient_client, client, clerk, sari_child):
    post_document(patient_client, sari_child, "bpjs.jpg", image_bytes("JPEG"), kind="bpjs")
    document = IdentityDocument.objects.get()
    clerk.user_permissions.add(Permission.objects.get(codename="view_identitydocument"))
    client.force_login(clerk)
    response = client.get(reverse("families:document_view", kwargs={"document_id": document.pk}))
    assert response.status_code == 200
    entry = PatientAccessLog.objects.get()
    assert (entry.user, entry.patient, entry.what, entry.detail) == (clerk, sari_child, "identity_document", "bpjs")


def test_missing_file_on_disk_is_a_404_not_a_500(patient_client, sari_child, private_media):
    post_document(patient_client, sari_child, "ktp.png", image_bytes("PNG"))
    document = IdentityDocument.objects.get()
    (private_media / document.file.name).unlink()
    response = patient_client.get(reverse("families:document_view", kwargs={"document_id": document.pk}))
    assert response.status_code == 404


def test_reupload_through_the_page_replaces_the_file(
    patient_client, sari_child, private_media, django_capture_on_commit_callbacks
):
    post_document(patient_client, sari_child, "ktp.png", image_bytes("PNG"))
    first = IdentityDocument.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        post_document(patient_client, sari_child, "ktp.jpg", image_bytes("JPEG"))
    document = IdentityDocument.objects.get()
    assert document.content_type == "image/jpeg"
    assert not (private_media / first).exists()
    assert (private_media / document.file.name).exists()


def test_deleting_a_patient_deletes_its_document_files(
    patient_client, sari_child, private_media, django_capture_on_commit_callbacks
):
    post_document(patient_client, sari_child, "ktp.png", image_bytes("PNG"))
    name = IdentityDocument.objects.get().file.name
    sari_child.account_links.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        sari_child.delete()
    assert not (private_media / name).exists()


# --- hostile files through the member page: what is stored is our own rebuilt copy ----------


def stored_bytes(private_media, member) -> bytes:
    return (private_media / IdentityDocument.objects.get(patient=member).file.name).read_bytes()


@pytest.mark.parametrize("name", sorted(hostile_pdfs()))
def test_a_hostile_pdf_is_stored_without_its_active_content(patient_client, sari_child, private_media, name):
    response = post_document(patient_client, sari_child, "ktp.pdf", hostile_pdfs()[name])
    assert response.status_code == 302
    stored = stored_bytes(private_media, sari_child)
    assert stored.startswith(b"%PDF-")
    assert [m for m in PDF_ACTIVE_MARKERS if m in pdf_all_text(stored)] == []


def test_a_photo_with_gps_is_stored_without_its_position(patient_client, sari_child, private_media):
    post_document(patient_client, sari_child, "ktp.jpg", gps_jpeg())
    stored = stored_bytes(private_media, sari_child)
    assert b"SECRETGPSAREA" not in stored and b"SecretCameraMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(0x8825)


def test_a_jpeg_html_polyglot_is_stored_without_its_html(patient_client, sari_child, private_media):
    post_document(patient_client, sari_child, "ktp.jpg", polyglot_jpeg())
    stored = stored_bytes(private_media, sari_child)
    assert stored.startswith(b"\xff\xd8\xff") and b"<script" not in stored and b"<html" not in stored


def test_a_pixel_bomb_is_refused_under_the_field_in_indonesian(patient_client, sari_child):
    patient_client.cookies["django_language"] = "id"
    response = post_document(patient_client, sari_child, "ktp.png", huge_png(mode="1"))
    assert response.status_code == 200
    form = response.context["upload_form"]
    assert [e.code for e in form.errors.as_data()["file"]] == ["image_too_large"]
    assert 'id="error_1_id_doc-file"' in response.content.decode() and "megapiksel" in response.content.decode()
    assert not IdentityDocument.objects.exists()


# --- on shared S3 storage (several app servers; portal/tests/s3.py is a real S3 server on loopback) --------


def document_url(document: IdentityDocument) -> str:
    return reverse("families:document_view", kwargs={"document_id": document.pk})


def test_an_id_card_photo_goes_to_the_shared_bucket_and_back_only_to_its_family(
    patient_client, client, other_patient, sari_child, s3_storage, private_media, django_capture_on_commit_callbacks
):
    response = post_document(patient_client, sari_child, "ktp.jpg", gps_jpeg())
    assert response.status_code == 302
    document = IdentityDocument.objects.get(patient=sari_child)
    assert s3_storage.keys() == [document.file.name] and not private_media.exists()
    stored = s3_storage.read(document.file.name)
    assert stored.startswith(b"\xff\xd8\xff") and b"SECRETGPSAREA" not in stored  # still our re-encoded copy
    served = patient_client.get(document_url(document))
    assert served.status_code == 200 and "no-store" in served["Cache-Control"]
    assert b"".join(served.streaming_content) == stored
    client.force_login(other_patient)
    assert client.get(document_url(document)).status_code == 404
    sari_child.account_links.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        sari_child.delete()
    assert s3_storage.keys() == []


def test_a_replaced_id_card_leaves_only_the_new_object(
    patient_client, sari_child, s3_storage, django_capture_on_commit_callbacks
):
    post_document(patient_client, sari_child, "ktp.png", image_bytes("PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        post_document(patient_client, sari_child, "ktp.pdf", pdf_bytes())
    document = IdentityDocument.objects.get()
    assert s3_storage.keys() == [document.file.name] and document.file.name.endswith(".pdf")
    assert [m for m in PDF_ACTIVE_MARKERS if m in pdf_all_text(s3_storage.read(document.file.name))] == []


@pytest.mark.parametrize("down", ["dead_s3_storage", "silent_s3_storage"])
def test_storage_down_on_upload_is_an_error_under_the_field_and_no_row(request, patient_client, sari_child, down):
    request.getfixturevalue(down)
    response = post_document(patient_client, sari_child, "ktp.jpg", image_bytes("JPEG"))
    assert response.status_code == 200
    assert [e.code for e in response.context["upload_form"].errors.as_data()["file"]] == ["upload_store_failed"]
    assert 'id="error_1_id_doc-file"' in response.content.decode()
    assert not IdentityDocument.objects.exists()


def test_a_full_disk_gives_the_same_error_as_s3_down(patient_client, sari_child, private_media):
    private_media.mkdir(parents=True)
    (private_media / "identity").write_bytes(b"")  # a file where the folder goes: writing fails (OSError) even as root
    response = post_document(patient_client, sari_child, "ktp.jpg", image_bytes("JPEG"))
    assert [e.code for e in response.context["upload_form"].errors.as_data()["file"]] == ["upload_store_failed"]
    assert not IdentityDocument.objects.exists()


def test_storage_down_when_a_document_is_opened_answers_try_again(request, patient_client, sari_child, s3_storage):
    post_document(patient_client, sari_child, "ktp.png", image_bytes("PNG"))
    document = IdentityDocument.objects.get()
    request.getfixturevalue("dead_s3_storage")
    response = patient_client.get(document_url(document))
    assert response.status_code == 503 and response["Retry-After"]
