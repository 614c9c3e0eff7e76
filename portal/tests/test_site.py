from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import environ
import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**env) -> dict:
    # The browser harness relaxes Django's async check for the test process only.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    # Production refuses the development identity-number keys: give it keys of its own.
    keys = {"FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=", "BLIND_INDEX_KEYS": "B" * 43 + "="}
    return {**base, **keys, "DJANGO_SETTINGS_MODULE": "portal.settings", **env}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run Django code in a fresh interpreter with its own environment (settings read at start-up)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db
def test_home_page_explains_the_service_in_indonesian_with_signup_and_login(client):
    html = client.get("/").content.decode()

    assert '<html lang="id">' in html
    assert "Pendaftaran rawat jalan online" in html
    assert reverse("accounts:signup") in html and reverse("login") in html


@pytest.mark.django_db
def test_language_switcher_turns_the_site_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Online outpatient registration" in html

    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert '<html lang="id">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_browser_language_header_does_not_override_indonesian_default(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="id">' in html


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json()["database"] == "up"


def test_healthz_answers_503_when_the_database_does_not():
    code = (
        "import django; django.setup()\nfrom django.test import Client\nprint(Client().get('/healthz').status_code)\n"
    )
    result = run_python(code, DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")

    assert result.stdout.strip().splitlines()[-1] == "503", result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(
            DEBUG="False",
            **{
                "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-0123456789",
                "ALLOWED_HOSTS": "antrean.rsud.example",
                "SECURE_SSL_REDIRECT": "True",
                "SECURE_HSTS_SECONDS": "31536000",
                "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
                "SECURE_HSTS_PRELOAD": "True",
                "SESSION_COOKIE_SECURE": "True",
                "CSRF_COOKIE_SECURE": "True",
            },
        ),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DEBUG="False", SECRET_KEY="")

    assert result.returncode != 0


@pytest.mark.parametrize("length, starts", [(49, False), (50, True)])
def test_production_needs_a_secret_key_of_the_length_readme_gives(length, starts):
    result = run_python("import django; django.setup()", DEBUG="False", SECRET_KEY="k" * length)

    assert (result.returncode == 0) is starts, result.stderr
    assert f"{settings.SECRET_KEY_MIN_LENGTH}+ random characters" in (ROOT / "README.md").read_text()


def test_the_readme_filemail_example_is_an_absolute_path():
    example = re.search(r"`(filemail://[^`]+)`", (ROOT / "README.md").read_text()).group(1)

    assert Path(environ.Env.email_url_config(example)["EMAIL_FILE_PATH"]).is_absolute()


@pytest.mark.django_db(transaction=True)
def test_a_database_lock_timeout_answers_503_not_500(client, patient):
    if connection.vendor != "postgresql":
        pytest.skip("lock_timeout is a PostgreSQL setting; SQLite waits on its busy timeout instead")
    client.force_login(patient)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        conn = connections.create_connection("default")
        with conn.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE accounts_user IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)
            cursor.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
        response = client.get(reverse("dashboard"))
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "coba lagi" in response.content.decode()


def test_readme_says_what_the_clerk_group_may_do_with_patients_and_bookings():
    from queueing.desk.services import CLERK_PERMISSIONS

    readme = " ".join((ROOT / "README.md").read_text().split())
    actions = {
        model: sorted(code.split("_")[0] for _app, code in CLERK_PERMISSIONS if code.endswith(f"_{model}"))
        for model in ("patient", "booking")
    }

    assert actions == {"patient": ["add", "change", "view"], "booking": ["change", "view"]}
    assert "view, add and change patients" in readme and "view and change bookings" in readme
    assert "cannot delete patients or bookings" in readme
