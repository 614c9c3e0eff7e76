"""The Antrean client against the Antrean simulator on loopback: envelopes, BPJS's rules, faults."""

from __future__ import annotations

import time

import pytest

from guarantors import bpjs
from queueing.jkn import antrean_simulator as simulator
from queueing.jkn.client import AntreanClient, AntreanRefused


@pytest.fixture
def sim():
    server = simulator.start_simulator(slow_seconds=2.0, hang_seconds=5.0)
    yield server
    server.stop()


def client_for(sim, **overrides) -> AntreanClient:
    options = dict(
        base_url=sim.url,
        cons_id=simulator.DEMO_CONS_ID,
        secret=simulator.DEMO_SECRET,
        user_key=simulator.DEMO_USER_KEY,
        timeout=1.0,
    )
    return AntreanClient(**{**options, **overrides})


def add_payload(kodebooking: str = "AB12CD34", **overrides) -> dict:
    payload = {
        "kodebooking": kodebooking,
        "jenispasien": "JKN",
        "nomorkartu": "0001234567890",
        "nik": "3302011204850001",
        "nohp": "081234567890",
        "kodepoli": "INT",
        "namapoli": "PENYAKIT DALAM",
        "pasienbaru": 0,
        "norm": "00012345",
        "tanggalperiksa": "2026-12-01",
        "kodedokter": 12001,
        "namadokter": "dr. Sri Wahyuni, Sp.PD",
        "jampraktek": "08:00-12:00",
        "jeniskunjungan": 1,
        "nomorreferensi": "0902P0010000Y000001",
        "nomorantrean": "INT-001",
        "angkaantrean": 1,
        "estimasidilayani": 1764550800000,
        "sisakuotajkn": 29,
        "kuotajkn": 30,
        "sisakuotanonjkn": 9,
        "kuotanonjkn": 10,
        "keterangan": "Peserta harap 30 menit lebih awal guna pencatatan administrasi.",
    }
    return {**payload, **overrides}


def test_reference_calls_read_code_1_and_decrypt_arrays_with_non_ascii_names(sim):
    client = client_for(sim)
    polis = client.ref_poli()
    assert {"kdpoli": "INT", "nmpoli": "PENYAKIT DALAM"}.items() <= polis[0].items()
    doctors = client.ref_dokter()
    assert "dr. Ñoman Sudiarta, Sp.A" in [d["namadokter"] for d in doctors]
    schedule = client.doctor_schedule(kodepoli="INT", tanggal="2026-12-01")
    assert schedule[0]["jadwal"] == "08:00-12:00" and schedule[0]["hari"] == 2


def test_unknown_poli_schedule_is_not_found(sim):
    with pytest.raises(bpjs.BpjsNotFound):
        client_for(sim).doctor_schedule(kodepoli="XXX", tanggal="2026-12-01")


def test_add_then_tasks_in_order_are_accepted_and_a_resend_answers_208(sim):
    client = client_for(sim)
    assert client.add(add_payload()).code == "200"
    t0 = int(time.time() * 1000)
    assert client.update_time(kodebooking="AB12CD34", taskid=3, waktu=t0).code == "200"
    assert client.update_time(kodebooking="AB12CD34", taskid=4, waktu=t0 + 60_000).code == "200"
    again = client.update_time(kodebooking="AB12CD34", taskid=4, waktu=t0 + 60_000)
    assert again.duplicate
    assert client.add(add_payload()).duplicate
    assert sim.state.accepted_for("AB12CD34") == [("add", None, None), ("task", 3, t0), ("task", 4, t0 + 60_000)]


def test_a_task_before_the_add_is_refused_with_bpjs_message(sim):
    with pytest.raises(AntreanRefused) as refused:
        client_for(sim).update_time(kodebooking="NOPE0000", taskid=3, waktu=1)
    assert refused.value.code == "201" and "tidak ditemukan" in refused.value.bpjs_message


def test_a_task_without_its_predecessor_is_refused(sim):
    client = client_for(sim)
    client.add(add_payload())
    with pytest.raises(AntreanRefused) as refused:
        client.update_time(kodebooking="AB12CD34", taskid=5, waktu=1)
    assert "TaskId sebelumnya belum terkirim" in refused.value.bpjs_message


def test_a_new_patients_task_3_needs_task_2(sim):
    client = client_for(sim)
    client.add(add_payload(pasienbaru=1))
    client.update_time(kodebooking="AB12CD34", taskid=1, waktu=1_000)
    with pytest.raises(AntreanRefused, match="TaskId sebelumnya belum terkirim"):
        client.update_time(kodebooking="AB12CD34", taskid=3, waktu=2_000)


def test_a_time_not_after_the_previous_task_is_refused(sim):
    client = client_for(sim)
    client.add(add_payload())
    client.update_time(kodebooking="AB12CD34", taskid=3, waktu=5_000)
    with pytest.raises(AntreanRefused, match="waktu tidak boleh kurang atau sama"):
        client.update_time(kodebooking="AB12CD34", taskid=4, waktu=5_000)


def test_cancel_is_accepted_once_and_later_tasks_are_refused(sim):
    client = client_for(sim)
    client.add(add_payload())
    assert client.cancel(kodebooking="AB12CD34", keterangan="Pasien membatalkan").code == "200"
    assert client.cancel(kodebooking="AB12CD34", keterangan="Pasien membatalkan").duplicate
    with pytest.raises(AntreanRefused, match="dibatalkan"):
        client.update_time(kodebooking="AB12CD34", taskid=3, waktu=1)


def test_add_with_a_missing_field_or_a_text_doctor_code_is_refused(sim):
    payload = add_payload()
    del payload["jampraktek"]
    with pytest.raises(AntreanRefused, match="jampraktek"):
        client_for(sim).add(payload)
    with pytest.raises(AntreanRefused, match="kodedokter"):
        client_for(sim).add(add_payload(kodedokter="12001"))


def test_wrong_secret_is_an_auth_error(sim):
    with pytest.raises(bpjs.BpjsAuthError):
        client_for(sim, secret="salah").ref_poli()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("5xx", bpjs.BpjsServerError),
        ("garbage", bpjs.BpjsProtocolError),
        ("timeout", bpjs.BpjsTimeout),
        ("reset", bpjs.BpjsUnavailable),
    ],
)
def test_faults_on_demand_raise_temporary_errors_and_then_heal(sim, fault, error):
    client = client_for(sim)
    sim.fail(fault, count=1)
    with pytest.raises(error):
        client.add(add_payload())
    assert client.add(add_payload()).code == "200"


def test_down_is_connection_refused_and_up_again_keeps_what_was_accepted(sim):
    client = client_for(sim)
    client.add(add_payload())
    sim.go_down()
    with pytest.raises(bpjs.BpjsUnavailable):
        client.update_time(kodebooking="AB12CD34", taskid=3, waktu=1_000)
    sim.come_up()
    assert client.update_time(kodebooking="AB12CD34", taskid=3, waktu=1_000).code == "200"


def test_slow_accepts_first_so_a_caller_that_gave_up_meets_208_on_resend(sim):
    client = client_for(sim, timeout=0.5)
    sim.fail("slow", count=1)
    with pytest.raises(bpjs.BpjsTimeout):
        client.add(add_payload())
    assert client.add(add_payload()).duplicate
    assert sim.state.counts()["accepted"] == 1


def test_the_breaker_is_the_vclaim_one_and_opens_after_repeated_failures(sim):
    from django.core.cache import cache

    breaker = bpjs.CircuitBreaker(cache, failures=2, window=60, cooloff=60, name="antrean-test")
    client = client_for(sim, breaker=breaker)
    sim.fail("5xx")
    for _ in range(2):
        with pytest.raises(bpjs.BpjsServerError):
            client.add(add_payload())
    with pytest.raises(bpjs.BpjsCircuitOpen):
        client.add(add_payload())
    cache.clear()
