"""First-load weight of a patient page: HTML + CSS + JS before compression stays under 100 KB."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from queueing.tests.conftest import make_member

LIMIT = 100 * 1024
ROOT = Path(__file__).resolve().parents[2]


def first_load_bytes(html: str) -> tuple[int, dict[str, int]]:
    """The page plus every stylesheet and script it links (from our static files), uncompressed."""
    assets = {}
    for url in re.findall(r'<(?:link rel="stylesheet"|script)[^>]*(?:href|src)="/static/([^"]+)"', html):
        path = finders.find(url)
        assert path, url
        assets[url] = Path(path).stat().st_size
    return len(html.encode()) + sum(assets.values()), assets


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "login", "signup", "dashboard", "booking_list", "wizard"])
def test_a_patient_page_weighs_under_100_kb_on_first_load(client, patient, page):
    make_member(patient, "Sari Wulandari")
    if page in ("dashboard", "booking_list", "wizard"):
        client.force_login(patient)
    url = {
        "home": reverse("home"),
        "login": reverse("login"),
        "signup": reverse("accounts:signup"),
        "dashboard": reverse("dashboard"),
        "booking_list": reverse("queueing:booking_list"),
        "wizard": reverse("queueing:booking_start"),
    }[page]
    response = client.get(url, follow=True)
    total, assets = first_load_bytes(response.content.decode())
    assert "bootstrap.bundle.min.js" not in str(assets) and "bootstrap/css/bootstrap.min.css" not in str(assets)
    assert total < LIMIT, (total, assets)


def test_the_committed_purged_bootstrap_matches_the_templates():
    result = subprocess.run(
        [sys.executable, "tools/purge_bootstrap.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
