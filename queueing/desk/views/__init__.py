"""The registration counter (loket): check-in, walk-ins, moving clinic, the register, slips, outages.

Staff-only pages (clerks in the "Petugas Pendaftaran" group), linked from the admin index and
the booking pages in the admin. Thin views: form -> desk service -> redirect; pages about
patients are sent no-store.
"""

from __future__ import annotations

from queueing.desk.views.counter import check_in, desk_home, move, switch_facility
from queueing.desk.views.register import register
from queueing.desk.views.slips import manual_form, slips_pdf, slips_response
from queueing.desk.views.walk_in import paper_entry, patient_new, patient_record_here, walk_in, walk_in_done

__all__ = [
    "check_in",
    "desk_home",
    "manual_form",
    "move",
    "paper_entry",
    "patient_new",
    "patient_record_here",
    "register",
    "slips_pdf",
    "slips_response",
    "switch_facility",
    "walk_in",
    "walk_in_done",
]
