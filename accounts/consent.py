"""The versioned consent text shown at sign-up (UU 27/2022 on personal data protection)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Bump the version whenever the text below changes; each account stores the version it agreed to.
CONSENT_VERSION = "2026-11-v1"

CONSENT_TEXT = _(
    "I agree that %(hospital)s processes the personal and health data I enter here, and that of "
    "the family members I register, to arrange outpatient registration and care, as described in "
    "the privacy notice (version %(version)s). I confirm that I am entitled to register these "
    "family members. I may ask to see, correct or delete this data, or withdraw this consent, at "
    "the registration counter."
)
