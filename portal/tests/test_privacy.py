"""Privacy across the whole site: full NIKs only on edit forms, never in a URL or a log line.

Every page the crawler reaches is fetched as the patient and as the clerk; the NIKs and MRNs of
the crawler's world are then looked for in the page, in every link and redirect, and in the logs.
"""

from __future__ import annotations

import logging
import re

import pytest

from families.models import Patient
from portal.tests.test_no_server_errors import ROUTES, _client, urls_for, world  # noqa: F401

# The only pages that may show a full NIK: the forms where it is typed and corrected.
EDIT_FORMS = re.compile(
    r"^/keluarga/[0-9a-f-]{36}/(ubah|cek-rekam-medis|dokumen)/$|"
    r"^/admin/families/patient/[0-9a-f-]{36}/change/$|^/antrian/loket/pasien-baru/$"
)
LINK = re.compile(r"""(?:href|action|src)\s*=\s*["']([^"']*)["']""")


def pages(persona: str, world: dict):
    client = _client(persona, world)
    routes = [route for route in ROUTES if persona == "clerk" or not route.startswith("admin/")]
    for route in routes:
        for url in urls_for(route, world, client)[:3]:
            response = _client(persona, world).get(url)
            if response.streaming:
                b"".join(response.streaming_content)
                continue
            yield url, response


@pytest.mark.parametrize("persona", ["patient", "clerk"])
def test_a_full_nik_shows_only_on_edit_forms_and_no_nik_or_mrn_in_urls_or_logs(persona, world, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = {p.nik for p in Patient.objects.exclude(nik="")} | {p.mrn for p in Patient.objects.exclude(mrn=None)}
    niks = {p.nik for p in Patient.objects.exclude(nik="")}
    shown, in_urls = [], []
    for url, response in pages(persona, world):
        html = response.content.decode(errors="replace")
        if any(nik in html for nik in niks) and not EDIT_FORMS.match(url):
            shown.append(url)
        targets = LINK.findall(html) + [response.get("Location", "")]
        in_urls += [(url, target) for target in targets if any(secret in target for secret in secrets)]

    assert shown == [], "full NIK on a page that is not an edit form"
    assert in_urls == [], "NIK or MRN in a link or redirect"
    logged = [r.getMessage() for r in caplog.records if any(s in r.getMessage() for s in secrets)]
    assert logged == []
