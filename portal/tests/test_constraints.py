"""Every named database constraint of our apps says what went wrong: a code for tests and code, a translated message."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

OUR_APPS = {"accounts", "families", "guarantors", "queueing"}
CONSTRAINTS = [
    (model, constraint)
    for model in apps.get_models()
    if model._meta.app_label in OUR_APPS
    for constraint in model._meta.constraints
]


def test_our_apps_have_constraints_to_check():
    assert {model._meta.app_label for model, _constraint in CONSTRAINTS} == OUR_APPS


@pytest.mark.parametrize("model, constraint", CONSTRAINTS, ids=[c.name for _m, c in CONSTRAINTS])
def test_every_constraint_has_a_code_and_a_message_of_its_own_translated(model, constraint):
    assert constraint.name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_")
    assert constraint.violation_error_code
    assert constraint.violation_error_message != constraint.default_violation_error_message
    with translation.override("id"):
        indonesian = str(constraint.get_violation_error_message())
    with translation.override("en"):
        english = str(constraint.get_violation_error_message())
    assert indonesian != english, f"no Indonesian for {english!r}"
