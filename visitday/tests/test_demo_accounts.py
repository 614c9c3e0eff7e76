"""loaddemo's nurse and waiting-room TV: in their groups, with their roles at the RSUD, twice the same."""

from __future__ import annotations

import pytest

from accounts import demo as account_demo
from facilities.models import FacilityMembership
from visitday import demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_nurse_and_a_screen_at_the_rsud(guarantor_types):
    account_demo.load()
    demo.load()
    demo.load()  # idempotent
    for email, group, role in (
        (account_demo.DEMO_NURSE_EMAIL, "Perawat Poli", "nurse"),
        (account_demo.DEMO_SCREEN_EMAIL, "Layar Antrean", "screen"),
    ):
        memberships = FacilityMembership.objects.filter(user__email=email)
        assert list(memberships.values_list("role", flat=True)) == [role]
        assert list(memberships.get().user.groups.values_list("name", flat=True)) == [group]
