"""Indonesian first: complete, compiled catalogues, and no English left on the pages people see."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from portal.tests.test_no_server_errors import ROUTES, _client, fields_on, urls_for, world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale",
    ROOT / "families" / "locale",
    ROOT / "guarantors" / "locale",
    ROOT / "facilities" / "locale",
    ROOT / "notifications" / "locale",
    ROOT / "reports" / "locale",
    ROOT / "cashier" / "locale",
]

# Words Indonesian hospitals use as they are, and the language switcher's own names.
SAME_IN_BOTH = {
    "Dashboard",
    "Password",
    "Password:",
    "E-mail",
    "E-mail:",
    "Online",
    "Menu",
    "Status",
    "Check-in",
    "English",
    "Bahasa Indonesia",
    "Filter",
    "Antrean",
    # Django's admin/search_form.html hard-codes alt="Search" (not translatable without
    # overriding the template; templates/admin/ belongs to the counter-desk work).
    "Search",
}
# A chunk that reads as English: it has one of these words (none of them is Indonesian).
ENGLISH = re.compile(
    r"\b(the|your|you|this|please|enter|at|of|and|to|is|not|for|with|created|updated|"
    r"account|accounts|guarantors|search|save|delete|change|add|view|required|field)\b",
    re.I,
)
CLERK_ADMIN_PAGES = [
    "/admin/",
    "/admin/families/patient/",
    "/admin/families/patient/add/",
    "/admin/guarantors/guarantortype/",
]


@pytest.mark.parametrize("locale_dir", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalogue_is_complete_without_fuzzy_entries_and_compiled(locale_dir):
    po = polib.pofile(str(locale_dir / "id" / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(locale_dir / "id" / "LC_MESSAGES" / "django.mo"))

    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    written = {
        (e.msgctxt, e.msgid): e.msgstr or {int(k): v for k, v in e.msgstr_plural.items()}
        for e in po.translated_entries()
    }
    stale = [key[1] for key, value in written.items() if compiled.get(key) != value]
    assert stale == [], f"run compilemessages: {stale[:5]}"


class Text(HTMLParser):
    """Visible text plus the attributes a screen reader or a tooltip shows."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.chunks: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "alt") and value:
                self.chunks.add(value.strip())

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.chunks.add(" ".join(data.split()))


def visible_text(client, url: str, language: str) -> set[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    chunks: set[str] = set()
    response = client.get(url, follow=True)
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return chunks
    html = response.content.decode()
    parser = Text()
    parser.feed(html)
    # The same page with every field left empty: the "required" errors under each field.
    names = fields_on(html).names
    if names:
        errors = client.post(url, {name: "" for name in names})
        if not errors.streaming and errors.get("Content-Type", "").startswith("text/html"):
            parser.feed(errors.content.decode())
    return parser.chunks


def english_leftovers(new_client, urls: list[str]) -> dict[str, str]:
    found = {}
    for url in urls:
        # A fresh client per language: a message queued by one pass must not show in the other.
        same = visible_text(new_client(), url, "id") & visible_text(new_client(), url, "en")
        for chunk in same - SAME_IN_BOTH:
            if ENGLISH.search(chunk):
                found[chunk] = url
    return found


@pytest.mark.parametrize("persona", ["patient", "anonymous", "clerk"])
def test_pages_rendered_in_indonesian_have_no_english_left(persona, world):
    client = _client(persona, world)
    urls = [urls_for(route, world, client)[0] for route in ROUTES if not route.startswith("admin/")]
    if persona == "clerk":
        urls += CLERK_ADMIN_PAGES + [reverse("admin:families_patient_change", args=[world["patient_id"][0]])]

    assert english_leftovers(lambda: _client(persona, world), urls) == {}


def test_account_emails_are_written_in_indonesian(client, patient, password, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": patient.email})
        client.force_login(patient)
        client.post(
            reverse("accounts:profile"),
            {
                "full_name": patient.full_name,
                "phone": patient.phone,
                "email": "sari.baru@example.com",
                "religion": patient.religion,
                "sex": patient.sex,
                "education": patient.education,
                "blood_type": patient.blood_type,
                "marital_status": patient.marital_status,
                "occupation": patient.occupation,
                "current_password": password,
            },
        )
        client.post(
            reverse("password_change"),
            {"old_password": password, "new_password1": "nasi-goreng-malam-9", "new_password2": "nasi-goreng-malam-9"},
        )

    assert len(mail.outbox) == 4
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert not re.search(r"\b(the|your|you|this|link|was)\b", text, re.I), text
