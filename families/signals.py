"""Hooks that higher apps connect to; families itself never imports them.

`patient_merged(sender=Patient, kept=Patient, removed=Patient)` is sent inside the merge
transaction, after families has moved its own rows (links, documents, logs) to `kept` and
BEFORE `removed` is deleted. A receiver repoints its own foreign keys from `removed` to
`kept` (e.g. queueing's bookings); raising an exception (a ValidationError with a code is
shown to the person) rolls the whole merge back. Anything still pointing at `removed` after
the receivers ran blocks the merge rather than being cascaded away.

    # queueing/apps.py
    def ready(self):
        from families.signals import patient_merged
        patient_merged.connect(repoint_bookings, dispatch_uid="queueing.repoint_bookings")
"""

from __future__ import annotations

from django.dispatch import Signal

patient_merged = Signal()
