"""The Fonnte client against the fake gateway on loopback: every outcome sorted right."""

import time

import pytest

from notifications.fonnte import FonnteClient, WhatsAppRefused, WhatsAppUnavailable
from notifications.tests.conftest import TOKEN


def client(gateway, token=TOKEN, timeout=1.0):
    return FonnteClient(gateway.url, token, timeout=timeout)


def test_an_accepted_message_returns_the_gateway_id_and_arrives(gateway):
    message_id = client(gateway).send("6281234567890", "Nomor antrean Anda A-012")

    assert message_id == "1"
    assert [(s.target, s.message) for s in gateway.sent] == [("6281234567890", "Nomor antrean Anda A-012")]


def test_a_local_number_gets_the_country_code_as_fonnte_does(gateway):
    client(gateway).send("081234567890", "halo")

    assert gateway.sent[0].target == "6281234567890"


def test_a_wrong_token_is_refused_for_good(gateway):
    with pytest.raises(WhatsAppRefused, match="invalid token"):
        client(gateway, token="stolen").send("6281234567890", "halo")
    assert gateway.sent == []


def test_an_impossible_number_is_refused_for_good(gateway):
    with pytest.raises(WhatsAppRefused, match="target invalid"):
        client(gateway).send("12ab", "halo")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("down", "HTTP 503"), ("garbage", "not JSON"), ("disconnected", "device disconnected")],
)
def test_gateway_trouble_is_temporary(gateway, fault, reason):
    gateway.fault = fault

    with pytest.raises(WhatsAppUnavailable, match=reason):
        client(gateway).send("6281234567890", "halo")


def test_a_gateway_that_hangs_is_given_up_on_within_the_total_deadline(gateway):
    gateway.fault, gateway.slow_seconds = "slow", 3.0
    started = time.monotonic()

    with pytest.raises(WhatsAppUnavailable):
        client(gateway, timeout=0.5).send("6281234567890", "halo")

    assert time.monotonic() - started < 2.5  # well before the gateway would have answered


def test_a_closed_port_is_temporary(gateway):
    url = gateway.url
    gateway.stop()

    with pytest.raises(WhatsAppUnavailable, match="not reached"):
        FonnteClient(url, TOKEN, timeout=1.0).send("6281234567890", "halo")
