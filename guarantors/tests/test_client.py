"""The real VClaim client against the simulator over loopback: every fixture and failure mode."""

from __future__ import annotations

import socket
import time
from datetime import date, timedelta

import pytest

from guarantors import bpjs, simulator
from guarantors.tests.conftest import TIMEOUT

TODAY = date.today()  # the simulator dates its fixtures from the host's date


def client_for(server, **overrides) -> bpjs.VClaimClient:
    options = dict(
        base_url=server.url,
        cons_id=simulator.DEMO_CONS_ID,
        secret=simulator.DEMO_SECRET,
        user_key=simulator.DEMO_USER_KEY,
        timeout=TIMEOUT,
    )
    return bpjs.VClaimClient(**{**options, **overrides})


def test_active_participant_by_card_number(bpjs_sim):
    participant = client_for(bpjs_sim).participant_by_card("0001234567890", TODAY)
    assert participant.name == "BUDI SANTOSO" and participant.birth_date == date(1985, 4, 12)
    assert participant.is_active and not participant.premium_unpaid
    assert participant.class_text == "KELAS I"


def test_participant_by_nik(bpjs_sim):
    participant = client_for(bpjs_sim).participant_by_nik("3302016309880002", TODAY)
    assert (participant.card_number, participant.name) == ("0001234567891", "SARI WULANDARI")


def test_inactive_participant_is_not_active(bpjs_sim):
    participant = client_for(bpjs_sim).participant_by_card("0002000000011", TODAY)
    assert not participant.is_active and not participant.premium_unpaid


def test_unpaid_premium_participant_is_flagged(bpjs_sim):
    participant = client_for(bpjs_sim).participant_by_card("0002000000012", TODAY)
    assert not participant.is_active and participant.premium_unpaid


def test_unknown_card_is_not_found_with_bpjs_message(bpjs_sim):
    with pytest.raises(bpjs.BpjsNotFound) as excinfo:
        client_for(bpjs_sim).participant_by_card("0000000000001", TODAY)
    assert excinfo.value.bpjs_message == "Peserta Tidak Ditemukan"


def test_primary_care_referral_by_number(bpjs_sim):
    referral = client_for(bpjs_sim).referral("0902P0010000Y000001")
    assert referral.source == "fktp" and referral.poli_code == "INT"
    assert referral.visit_date == TODAY - timedelta(days=10)
    assert referral.participant.card_number == "0001234567890"


def test_expired_and_other_clinic_referrals_carry_their_dates_and_poli(bpjs_sim):
    client = client_for(bpjs_sim)
    assert client.referral("0902P0010000Y000002").visit_date == TODAY - timedelta(days=120)
    assert client.referral("0902P0010000Y000003").poli_code == "MAT"


def test_hospital_referral_is_found_under_rujukan_rs(bpjs_sim):
    client = client_for(bpjs_sim)
    with pytest.raises(bpjs.BpjsNotFound):
        client.referral("0902R0010000B000001", source="fktp")
    referral = client.find_referral("0902R0010000B000001")
    assert (referral.source, referral.poli_code) == ("rs", "JAN")
    assert bpjs_sim.request_paths[-1].endswith("/Rujukan/RS/0902R0010000B000001")


def test_unknown_referral_is_not_found(bpjs_sim):
    with pytest.raises(bpjs.BpjsNotFound):
        client_for(bpjs_sim).find_referral("0902P0010000Y123456")


def test_slow_answer_times_out_within_the_timeout(bpjs_sim):
    started = time.monotonic()
    with pytest.raises(bpjs.BpjsTimeout):
        client_for(bpjs_sim).participant_by_card(simulator.CARD_SLOW, TODAY)
    assert time.monotonic() - started >= TIMEOUT * 0.9  # it waited (no upper bound: a busy machine may be slow)


def test_slow_answer_arrives_when_the_timeout_is_long_enough(bpjs_sim, monkeypatch):
    monkeypatch.setattr(bpjs_sim, "slow_seconds", 0.3)  # the simulator's own knob, not our code
    started = time.monotonic()
    participant = client_for(bpjs_sim).participant_by_card(simulator.CARD_SLOW, TODAY)
    assert participant.name == "TONI LAMBAT" and time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    "card, error",
    [
        (simulator.CARD_SERVER_ERROR, bpjs.BpjsServerError),
        (simulator.CARD_GARBAGE, bpjs.BpjsProtocolError),
        (simulator.CARD_BAD_CIPHER, bpjs.BpjsProtocolError),
    ],
)
def test_broken_answers_raise_typed_errors(bpjs_sim, card, error):
    with pytest.raises(error):
        client_for(bpjs_sim).participant_by_card(card, TODAY)


@pytest.mark.parametrize(
    "number, error",
    [
        (simulator.REFERRAL_SLOW, bpjs.BpjsTimeout),
        (simulator.REFERRAL_SERVER_ERROR, bpjs.BpjsServerError),
        (simulator.REFERRAL_GARBAGE, bpjs.BpjsProtocolError),
    ],
)
def test_broken_referral_answers_raise_typed_errors(bpjs_sim, number, error):
    with pytest.raises(error):
        client_for(bpjs_sim).find_referral(number)


def test_server_error_is_a_kind_of_unavailability(bpjs_sim):
    with pytest.raises(bpjs.BpjsUnavailable) as excinfo:
        client_for(bpjs_sim).participant_by_card(simulator.CARD_SERVER_ERROR, TODAY)
    assert excinfo.value.status == 500


@pytest.mark.parametrize("overrides", [{"secret": "wrong"}, {"cons_id": "other"}, {"user_key": "other"}])
def test_wrong_credentials_raise_auth_error(bpjs_sim, overrides):
    with pytest.raises(bpjs.BpjsAuthError):
        client_for(bpjs_sim, **overrides).participant_by_card("0001234567890", TODAY)


def test_unknown_endpoint_is_a_protocol_error(bpjs_sim):
    with pytest.raises(bpjs.BpjsProtocolError):
        client_for(bpjs_sim).get("SEP", "0301R0010000V000001")


def test_closed_port_is_unavailable():
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = bpjs.VClaimClient(
        base_url=f"http://127.0.0.1:{port}/vclaim-rest", cons_id="a", secret="b", user_key="c", timeout=TIMEOUT
    )
    with pytest.raises(bpjs.BpjsUnavailable):
        client.participant_by_card("0001234567890", TODAY)


def test_path_characters_in_a_number_cannot_reach_another_endpoint(bpjs_sim):
    with pytest.raises(bpjs.BpjsError):
        client_for(bpjs_sim).referral("../Peserta/nokartu/0001234567890/tglSEP/2026-01-01")
    assert "%2F" in bpjs_sim.request_paths[-1]


def test_missing_configuration_is_reported_before_any_request():
    with pytest.raises(bpjs.BpjsNotConfigured):
        bpjs.VClaimClient(base_url="", cons_id="", secret="", user_key="")
