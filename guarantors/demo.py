"""Demo data for `manage.py loaddemo`: the SOP 004 guarantor types and the demo BPJS numbers.

The types normally exist already (migration 0003); `load()` only adds missing ones, so rows a
hospital edited stay as they are. BPJS numbers below are fixtures of guarantors.simulator,
which answers for them when BPJS_VCLAIM_URL is empty in DEBUG (or via `manage.py bpjs_simulator`).
"""

from __future__ import annotations

from guarantors import simulator
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType

# The demo patient "Budi Santoso", born 1985-04-12 (families' demo data should use this card).
DEMO_BPJS_CARD = "0001234567890"
DEMO_REFERRAL_VALID = "0902P0010000Y000001"  # poli INT (Penyakit Dalam), issued 10 days ago
DEMO_REFERRAL_EXPIRED = "0902P0010000Y000002"  # poli INT, issued 120 days ago
DEMO_REFERRAL_OTHER_CLINIC = "0902P0010000Y000003"  # poli MAT (Mata)
DEMO_REFERRAL_HOSPITAL = "0902R0010000B000001"  # hospital referral, poli JAN (Jantung)


def load() -> dict[str, int]:
    """Idempotent: a second run creates nothing."""
    demo = next(p for p in simulator.FIXTURE_PARTICIPANTS if p.card_number == DEMO_BPJS_CARD)
    # The demo only works if the simulator's record is the demo patient's; fail loudly otherwise.
    if (demo.name, demo.birth_date) != ("BUDI SANTOSO", "1985-04-12"):
        raise RuntimeError("the BPJS simulator fixture no longer matches the demo patient")
    return {"created_types": ensure_types(GuarantorType)}
