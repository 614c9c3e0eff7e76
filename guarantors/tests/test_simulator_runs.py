"""The simulator as `make run` uses it: the management command, and embedded in a DEBUG process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from guarantors import bpjs, demo, services, simulator
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType

BASE_DIR = Path(django_settings.BASE_DIR)


def test_management_command_serves_the_protocol_until_interrupted():
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPJS_")}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "bpjs_simulator", "--port", "0"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/vclaim-rest)", first_line).group(1)
        client = bpjs.VClaimClient(
            base_url=url,
            cons_id=simulator.DEMO_CONS_ID,
            secret=simulator.DEMO_SECRET,
            user_key=simulator.DEMO_USER_KEY,
            timeout=5,
        )
        assert client.participant_by_card("0001234567890", date.today()).name == "BUDI SANTOSO"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()


@pytest.fixture
def embedded(settings):
    settings.DEBUG = True
    settings.BPJS_VCLAIM_URL = ""
    settings.BPJS_CONS_ID = settings.BPJS_SECRET = settings.BPJS_USER_KEY = ""
    settings.BPJS_EMBEDDED_SIMULATOR = True
    yield settings
    simulator.stop_embedded()


def test_debug_without_bpjs_url_starts_one_embedded_simulator(embedded):
    first, second = services.vclaim_client(), services.vclaim_client()
    assert first.base_url == second.base_url and first.base_url.startswith("http://127.0.0.1:")
    result = services.check_bpjs_eligibility(
        card_number=demo.DEMO_BPJS_CARD,
        full_name="Budi Santoso",
        birth_date=date(1985, 4, 12),
        referral_number=demo.DEMO_REFERRAL_VALID,
        clinic_bpjs_code="INT",
        exam_date=date.today(),
    )
    assert result.is_verified


def test_embedded_simulator_can_be_switched_off(embedded):
    embedded.BPJS_EMBEDDED_SIMULATOR = False
    with pytest.raises(bpjs.BpjsNotConfigured):
        services.vclaim_client()


def test_demo_load_is_idempotent_and_restores_missing_types(db):
    ensure_types(GuarantorType)
    assert demo.load() == {"created_types": 0}
    GuarantorType.objects.filter(code="jasa-raharja").delete()
    assert demo.load() == {"created_types": 1}
    assert demo.load() == {"created_types": 0}
