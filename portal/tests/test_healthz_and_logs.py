"""A load balancer's probe reaches /healthz behind production settings, and gunicorn's access
log never carries a query string (issue 10 section 7)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
NIK = "3302011204850001"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["antrean.rsud.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["antrean.rsud.example", "10.20.30.40:8000", "evil.example"])
def test_healthz_answers_a_plain_http_probe_for_any_host(production, host):
    response = Client().get("/healthz", HTTP_HOST=host)

    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "up"}
    assert "Set-Cookie" not in response and "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_other_pages_still_redirect_to_https_and_refuse_unknown_hosts(production):
    assert Client().get("/", HTTP_HOST="antrean.rsud.example").status_code == 301
    assert Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example").status_code == 400
    # Only a GET of exactly /healthz is exempt.
    assert Client().get("/healthz/", HTTP_HOST="antrean.rsud.example").status_code == 301
    assert Client(raise_request_exception=False).post("/healthz", HTTP_HOST="evil.example").status_code == 400


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers: str) -> bool:
    """True once the server answered, whatever the status (its database may be another one)."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5).read()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def test_gunicorn_access_log_has_paths_without_query_strings(tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "DEBUG": "True", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _get(f"http://127.0.0.1:{port}/healthz?nik={NIK}"):
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)
        _get(
            f"http://127.0.0.1:{port}/antrian/loket/daftar/?q={NIK}",
            Referer=f"http://127.0.0.1:{port}/antrian/?nik={NIK}",
        )
    finally:
        server.terminate()
        server.wait(30)

    lines = log.read_text().splitlines()
    assert any('"GET /healthz HTTP/1.1"' in line for line in lines), lines
    assert any('"GET /antrian/loket/daftar/ HTTP/1.1"' in line for line in lines), lines
    assert not any(NIK in line for line in lines)
