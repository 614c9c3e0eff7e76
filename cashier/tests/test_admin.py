"""The admin: tariffs scoped to the supervisor's facilities; payments read-only and never deleted, even by a superuser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cashier import services
from cashier.models import Payment, Tariff
from cashier.tests.conftest import make_visit
from conftest import make_account
from guarantors.models import GuarantorKind

pytestmark = pytest.mark.django_db


def test_a_supervisor_sees_and_edits_only_their_facilitys_tariffs(client, supervisor, rsud_tariffs, puskesmas_tariffs):
    client.force_login(supervisor)
    listing = client.get(reverse("admin:cashier_tariff_changelist"))
    assert listing.status_code == 200
    shown = set(listing.context["cl"].queryset)
    assert shown == set(rsud_tariffs.values())
    theirs = puskesmas_tariffs["new"]
    assert client.get(reverse("admin:cashier_tariff_change", args=[theirs.pk])).status_code == 404
    ours = rsud_tariffs["new"]
    response = client.post(
        reverse("admin:cashier_tariff_change", args=[ours.pk]),
        {
            "facility": ours.facility_id,
            "name": ours.name,
            "guarantor_kind": ours.guarantor_kind,
            "visit": ours.visit,
            "condition": ours.condition,
            "amount": "55000",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Tariff.objects.get(pk=ours.pk).amount == 55_000


def test_a_cashier_may_read_tariffs_but_not_change_them(client, cashier, rsud_tariffs):
    client.force_login(cashier)
    tariff = rsud_tariffs["new"]
    assert client.get(reverse("admin:cashier_tariff_changelist")).status_code == 200
    client.post(reverse("admin:cashier_tariff_change", args=[tariff.pk]), {"amount": "1"})
    assert Tariff.objects.get(pk=tariff.pk).amount == 50_000


def test_no_one_deletes_or_changes_a_payment_in_the_admin(client, rsud, rsud_tariffs, guarantors, cashier):
    payment = services.payment_take(
        booking=make_visit(rsud, guarantor=guarantors[GuarantorKind.SELF_PAY]),
        cashier=cashier,
        method="cash",
        expected_amount=50_000,
    )
    root = make_account("root@rsud.example", "Root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(reverse("admin:cashier_payment_change", args=[payment.pk])).status_code == 200
    assert client.post(reverse("admin:cashier_payment_delete", args=[payment.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:cashier_payment_changelist"),
        {"action": "delete_selected", "_selected_action": [payment.pk], "post": "yes"},
    )
    assert Payment.objects.filter(pk=payment.pk).exists()
