"""Shared pytest fixtures: personas used across apps."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User

pytest_plugins = ["portal.tests.browser", "portal.tests.smtp", "portal.tests.s3"]

PASSWORD = "kopi-tubruk-pagi-2026"

_PROFILE = dict(
    phone="+6281234567890",
    religion="islam",
    sex="P",
    education="sma",
    blood_type="A",
    marital_status="kawin",
    occupation="irt",
)


def make_account(email: str, full_name: str, **extra) -> User:
    fields = dict(_PROFILE, full_name=full_name, email_confirmed_at=timezone.now(), **extra)
    return User.objects.create_user(email=email, password=PASSWORD, **fields)


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings) -> None:
    """MD5 in tests: the tuned Argon2 costs ~0.1 s of CPU per hash, and tests hash thousands of passwords.

    Argon2 stays second in the list, so hashes made before still verify. Tests of the tuned hasher itself are
    marked `tuned_hasher` and hash with the settings' list unchanged.
    """
    if request.node.get_closest_marker("tuned_hasher") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _fresh_facility_caches(monkeypatch):
    """Facilities, their booking settings, the wizard's open days and clinics and the clinics' document
    rules are cached per process for seconds: each test starts from its own.

    Within a test they last until a save clears them: a test on a loaded CI machine can take more
    than the 5 s they last in production, and a query budget must not depend on the machine's speed.
    """
    import facilities.selectors
    import guarantors.services
    import queueing.models
    import queueing.selectors

    for module, name in (
        (facilities.selectors, "FACILITIES_TTL"),
        (guarantors.services, "RULES_TTL"),
        (queueing.models, "SETTINGS_TTL"),
        (queueing.selectors, "SCHEDULES_TTL"),
        (queueing.selectors, "GUARANTORS_TTL"),
    ):
        monkeypatch.setattr(module, name, 3600.0)
    from facilities.selectors import forget_facilities
    from guarantors.services import forget_clinic_rules
    from queueing.models import _SETTINGS_CACHE
    from queueing.selectors import forget_guarantors, forget_schedules

    forget_facilities(), _SETTINGS_CACHE.clear(), forget_schedules(), forget_clinic_rules(), forget_guarantors()
    yield
    forget_facilities(), _SETTINGS_CACHE.clear(), forget_schedules(), forget_clinic_rules(), forget_guarantors()


@pytest.fixture(autouse=True)
def _messages_sent_at_once(request, settings) -> None:
    """Messages to patients are delivered at once, in-process, after commit (django-tasks'
    immediate backend), so a test sees the e-mail a booking sends. Tests of queued delivery are
    marked `db_tasks` and keep the database backend that production uses."""
    if request.node.get_closest_marker("db_tasks") is None:
        settings.NOTIFICATIONS_TASK_BACKEND = "immediate"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def patient(db) -> User:
    """Sari, a mother who books for her family from her phone."""
    return make_account("sari@example.com", "Sari Wulandari")


@pytest.fixture
def other_patient(db) -> User:
    """Joko, an unrelated account holder who must never see Sari's family."""
    return make_account("joko@example.com", "Joko Prasetyo", sex="L")


@pytest.fixture
def clerk(db) -> User:
    """A registration-counter clerk (staff, no superuser)."""
    return make_account("clerk@rsud.example", "Dewi Petugas", is_staff=True)


@pytest.fixture
def admin_user(db) -> User:
    return make_account("admin@rsud.example", "Admin RSUD", is_staff=True, is_superuser=True)


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client
