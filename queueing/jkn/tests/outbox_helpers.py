"""Shared by the outbox tests and the fault test: a hospital whose Mobile JKN bridge points at the simulator."""

from __future__ import annotations

from facilities.models import default_facility
from queueing.jkn import antrean_simulator as simulator
from queueing.models import AntreanBridge, Clinic, Doctor


def enable_bridge(sim: simulator.AntreanSimulator, facility=None) -> AntreanBridge:
    bridge = AntreanBridge(
        facility=facility or default_facility(),
        enabled=True,
        cons_id=simulator.DEMO_CONS_ID,
        secret_key=simulator.DEMO_SECRET,
        user_key=simulator.DEMO_USER_KEY,
        base_url=sim.url,
        ws_username="rs-test",
    )
    bridge.set_ws_password("kopi-tubruk-pagi")
    bridge.save()
    Clinic.objects.update(bpjs_code="GIG")
    Doctor.objects.update(bpjs_code="12002")
    return bridge
