"""Headers that keep patient data out of caches and scripts out of pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.tests.browser import browser_login

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = [
    reverse("dashboard"),
    reverse("accounts:profile"),
    reverse("password_change"),
    reverse("families:member_add_new"),
    reverse("guarantors:guarantor_list"),
]
CSP_PAGES = [
    "/",
    reverse("login"),
    reverse("accounts:signup"),
    reverse("password_reset"),
    reverse("guarantors:guarantor_list"),
]


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_pages_seen_signed_in_are_never_stored_by_browsers_or_proxies(patient_client, url):
    response = patient_client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    assert "no-store" not in client.get(reverse("guarantors:guarantor_list")).get("Cache-Control", "")


@pytest.mark.parametrize("url", CSP_PAGES + SIGNED_IN_PAGES)
def test_pages_carry_a_content_security_policy_without_inline_script(patient_client, client, url):
    response = (patient_client if url in SIGNED_IN_PAGES else client).get(url)
    policy = response["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def assert_nothing_inline(html: str) -> None:
    # <script type="application/json"> (json_script) is data, never executed: the policy allows it.
    assert not re.search(r"<script(?![^>]*\s(src|type=\"application/json\")=?)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style[\s>]", html), "inline <style> would be blocked"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handlers would be blocked"
    assert not re.search(r"\sstyle\s*=", html), "style attributes would be blocked"


@pytest.mark.parametrize("url", CSP_PAGES + SIGNED_IN_PAGES)
def test_pages_under_the_policy_have_no_inline_script_handler_or_style(patient_client, client, url):
    assert_nothing_inline((patient_client if url in SIGNED_IN_PAGES else client).get(url).content.decode())


@pytest.mark.parametrize("url", ["/antrian/", "/admin/", "/admin/login/", "/antrian/loket/"])
def test_the_wizard_desk_and_admin_are_under_the_policy_too(client, url):
    assert "script-src 'self'" in client.get(url)["Content-Security-Policy"]


def test_every_admin_list_add_and_change_page_has_no_inline_script_handler_or_style(client, admin_user):
    from django.contrib import admin

    from guarantors.catalogue import ensure_types
    from guarantors.models import GuarantorType
    from queueing.models import Booking
    from queueing.services import booking_create
    from queueing.tests.conftest import make_member, make_schedule

    ensure_types(GuarantorType)
    member = make_member(admin_user, "Rina Marlina", nik_mismatch=True)  # flagged on the booking page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule() if s.weekday == tomorrow.weekday())
    booking_create(
        account=admin_user,
        patient_id=member.pk,
        schedule_id=schedule.pk,
        date=tomorrow,
        guarantor_id=GuarantorType.objects.get(code="umum").pk,
        token=uuid.uuid4(),
    )
    client.force_login(admin_user)
    checked = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        if model_admin.has_add_permission(_request(admin_user)):
            urls.append(reverse(f"{prefix}_add"))
        first = model._default_manager.first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
            assert_nothing_inline(response.content.decode())
            checked.append(url)

    # Every list page, and the change pages of the rows made above (read-only admins such as the
    # outbox or the messages have no add page, and many tables are empty here).
    changelists = {reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry}
    assert changelists <= set(checked)
    for made in (member, Booking.objects.get(patient=member)):
        assert reverse(f"admin:{made._meta.app_label}_{made._meta.model_name}_change", args=[made.pk]) in checked


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_an_identity_document_is_private_on_disk_and_keeps_its_own_stricter_policy(
    patient_client, patient, tmp_path, settings
):
    import io

    from django.core.files import File
    from PIL import Image

    from families import services
    from families.models import DocumentKind
    from families.tests.conftest import make_patient
    from portal.lib.uploads import clean_upload

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    member = make_patient()
    member.account_links.create(account=patient, relationship="self", verified_at=timezone.now())
    data = io.BytesIO()
    Image.new("RGB", (8, 8)).save(data, format="PNG")
    document = services.document_store(
        actor=patient,
        patient=member,
        kind=DocumentKind.KTP,
        upload=clean_upload(File(io.BytesIO(data.getvalue()), name="k.png")),
    )

    response = patient_client.get(reverse("families:document_view", args=[document.pk]))
    b"".join(response.streaming_content)

    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "no-store" in response["Cache-Control"]
    stored = tmp_path / document.file.name
    assert stored.stat().st_mode & 0o777 == 0o600 and stored.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.browser
def test_signed_in_pages_work_in_chromium_under_the_policy(page, patient, password):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    browser_login(page, patient.email, password)
    page.goto(f"{page.base_url}{reverse('accounts:profile')}")
    page.click("button.navbar-toggler")  # Bootstrap's script runs: the phone menu opens
    page.wait_for_selector("#mainnav.show")

    assert violations == []
