"""Patient booking pages (SOP 000 I), one module per part; the names urls.py uses are re-exported here.

- wizard.py: opening a wizard and its steps (facility when there are several, member, date, guarantor, clinic, doctor);
- confirm.py: the confirm page and the POST that books;
- bookings.py: my bookings, a booking's page, cancel, print, PDF slip;
- documents.py: letters sent with a booking.
"""

from __future__ import annotations

from queueing.views.bookings import (
    booking_cancel,
    booking_detail,
    booking_list,
    booking_print,
    booking_slip_pdf,
)
from queueing.views.confirm import wizard_confirm
from queueing.views.documents import booking_document
from queueing.views.wizard import (
    booking_start,
    wizard_clinic,
    wizard_date,
    wizard_doctor,
    wizard_facility,
    wizard_guarantor,
    wizard_member,
)

__all__ = [
    "booking_cancel",
    "booking_detail",
    "booking_document",
    "booking_list",
    "booking_print",
    "booking_slip_pdf",
    "booking_start",
    "wizard_clinic",
    "wizard_confirm",
    "wizard_date",
    "wizard_doctor",
    "wizard_facility",
    "wizard_guarantor",
    "wizard_member",
]
