"""Re-encrypt identity numbers under the newest key and recompute blind indexes, batch by batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from families.fields import EncryptedCharField, current_key_id, key_id_of
from families.models import Patient

ENCRYPTED = tuple(f.name for f in Patient._meta.concrete_fields if isinstance(f, EncryptedCharField))
_STORED = {name: f"{name}_stored" for name in ENCRYPTED}


@dataclass
class RotationResult:
    checked: int = 0
    rewritten: int = 0
    last_id: Any = None


def _is_stale(patient: Patient, newest: str) -> bool:
    """Under an older encryption key, or an index computed with an older index key."""
    if any(stored and key_id_of(stored) != newest for stored in (getattr(patient, a) for a in _STORED.values())):
        return True
    return any(
        getattr(patient, index) != Patient._meta.get_field(index).compute(patient) for index in Patient.INDEXED.values()
    )


def _rotate_batch(after: Any, batch_size: int, newest: str) -> tuple[int, int, Any]:
    """One short transaction: lock a batch of rows in id order, rewrite the stale ones."""
    with transaction.atomic():
        rows = (
            Patient.objects.select_for_update(no_key=True)
            .annotate(**{alias: Cast(name, TextField()) for name, alias in _STORED.items()})
            .order_by("pk")
        )
        if after is not None:
            rows = rows.filter(pk__gt=after)
        batch = list(rows[:batch_size])
        if not batch:
            return 0, 0, after
        stale = [patient for patient in batch if _is_stale(patient, newest)]
        for patient in stale:
            for index in Patient.INDEXED.values():
                setattr(patient, index, Patient._meta.get_field(index).compute(patient))
        if stale:  # updated_at stays: the data did not change
            Patient.objects.bulk_update(stale, [*ENCRYPTED, *Patient.INDEXED.values()])
    return len(batch), len(stale), batch[-1].pk


def rotate_identity_keys(
    *, batch_size: int = 1000, after: Any = None, progress: Callable[[Any, int, int], None] | None = None
) -> RotationResult:
    """Every patient row under the newest keys; safe to interrupt and run again (done rows are skipped)."""
    result, newest = RotationResult(last_id=after), current_key_id()
    while True:
        checked, rewritten, result.last_id = _rotate_batch(result.last_id, batch_size, newest)
        if not checked:
            return result
        result.checked += checked
        result.rewritten += rewritten
        if progress is not None:
            progress(result.last_id, result.checked, result.rewritten)
