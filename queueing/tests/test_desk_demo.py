"""Demo data: the demo clerk works the counter as a "Petugas Pendaftaran"."""

from __future__ import annotations

from accounts import demo as account_demo
from accounts.models import User
from queueing import demo
from queueing.desk.services import CLERK_GROUP


def test_the_demo_clerk_is_in_the_clerk_group_and_loading_twice_changes_nothing(db):
    account_demo.load()
    demo.load()
    demo.load()
    clerk = User.objects.get(email=account_demo.DEMO_CLERK_EMAIL)
    assert list(clerk.groups.values_list("name", flat=True)) == [CLERK_GROUP]
    assert clerk.is_staff and not clerk.is_superuser
    assert clerk.has_perm("queueing.change_booking") and clerk.has_perm("families.add_patient")
    assert not clerk.has_perm("accounts.view_user") and not clerk.has_perm("auth.change_group")
    patient = User.objects.get(email=account_demo.DEMO_PATIENT_EMAIL)
    assert not patient.groups.exists()
