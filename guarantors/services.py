"""The guarantors app's answers to the booking flow. Nothing here books or writes a booking.

API (what queueing calls):

``active_guarantor_types() -> QuerySet[GuarantorType]``
    The types a patient may choose, in display order.
``required_documents(guarantor_type, clinic_code=None) -> list[str]``
    The checklist to show while booking and print on the slip: the type's documents plus
    those of active ``ClinicDocumentRule`` rows for that clinic code (no duplicates).
``letter_upload_needed(guarantor_type, clinic_code=None) -> bool``
    Whether the booking form should ask for a photo of the referral/guarantee letter or SKD
    (the form field is ``portal.lib.uploads.UploadField``).
``check_bpjs_eligibility(*, card_number, full_name, birth_date, referral_number, clinic_bpjs_code, exam_date)``
    -> ``EligibilityResult``. Asks VClaim: card active? name and birth date those of the family
    member? referral known, for this card, not older than 90 days on the exam date, for the
    clinic's BPJS poli code? ``status`` is "verified", "rejected" (``field_errors`` holds
    ``(message, code)`` pairs under "card_number"/"referral_number") or "unverified" (BPJS
    slow, down, misconfigured or talking nonsense: ``message`` says so plainly; accept the
    booking and flag it). It never raises for network trouble. Store ``result.as_json()`` on
    the booking for the clerk. Successful BPJS answers are cached BPJS_CACHE_SECONDS.
``jpkmkt_should_switch_to_bpjs(*, card_number="", nik="", exam_date) -> Participant | None``
    SOP 004: a JPKMKT patient whose BPJS Kesehatan card is active has BPJS as first guarantor.
    Returns the active participant (offer the switch, with consent) or None (stay on JPKMKT;
    also when BPJS cannot be asked: the counter re-checks).

``validate_guarantor_numbers(gtype, *, card_number, referral_number) -> (card, referral)``
    The numbers this type asks for, normalised, in the formats of ``guarantors.validators``;
    raises one ValidationError with an error per field.

These are reads and outside calls rather than writes; they live here as the app's public API:
other apps call these, not the models or the VClaim client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guarantors import simulator, validators
from guarantors.bpjs import (
    BpjsError,
    BpjsNotFound,
    CircuitBreaker,
    ConcurrencyCap,
    Participant,
    Referral,
    VClaimClient,
)
from guarantors.models import ClinicDocumentRule, GuarantorType
from guarantors.names import names_match

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERIFIED, REJECTED, UNVERIFIED = "verified", "rejected", "unverified"
REFERRAL_VALID_DAYS = 90


# --- guarantor types and documents ----------------------------------------------------------


def active_guarantor_types() -> QuerySet[GuarantorType]:
    return GuarantorType.objects.filter(is_active=True).order_by("sort_order", "name")


def _as_type(guarantor_type: GuarantorType | str) -> GuarantorType:
    if isinstance(guarantor_type, GuarantorType):
        return guarantor_type
    return GuarantorType.objects.get(code=guarantor_type)


RULES_TTL = 5.0
_RULES_CACHE: dict[str, tuple[float, dict[str, list[ClinicDocumentRule]]]] = {}


def _active_rules() -> dict[str, list[ClinicDocumentRule]]:
    """Every active clinic document rule by clinic code, rules for every guarantor first; kept in
    this process for a few seconds. Read by the confirm page, the result page, slips and
    reminders; changed by an administrator now and then: saving or deleting one clears this
    process's copy at once (guarantors.apps), the other processes' within RULES_TTL."""
    cached = _RULES_CACHE.get("rules")
    if cached is None or cached[0] < time.monotonic():
        by_clinic: dict[str, list[ClinicDocumentRule]] = {}
        rules = ClinicDocumentRule.objects.filter(is_active=True).order_by(
            F("guarantor_type").asc(nulls_first=True), "pk"
        )
        for rule in rules:
            by_clinic.setdefault(rule.clinic_code, []).append(rule)
        cached = _RULES_CACHE["rules"] = (time.monotonic() + RULES_TTL, by_clinic)
    return cached[1]


def forget_clinic_rules(**_kwargs) -> None:
    _RULES_CACHE.clear()


def _clinic_rules(guarantor_type: GuarantorType, clinic_code: str | None) -> list[ClinicDocumentRule]:
    if not clinic_code:
        return []
    return [r for r in _active_rules().get(clinic_code, []) if r.guarantor_type_id in (None, guarantor_type.pk)]


def required_documents(guarantor_type: GuarantorType | str, clinic_code: str | None = None) -> list[str]:
    gtype = _as_type(guarantor_type)
    documents = list(gtype.required_documents)
    for rule in _clinic_rules(gtype, clinic_code):
        documents += [doc for doc in rule.documents if doc not in documents]
    return documents


def letter_upload_needed(guarantor_type: GuarantorType | str, clinic_code: str | None = None) -> bool:
    gtype = _as_type(guarantor_type)
    return gtype.needs_letter_upload or any(rule.needs_letter_upload for rule in _clinic_rules(gtype, clinic_code))


# --- the VClaim client and its cache -------------------------------------------------------


def vclaim_client() -> VClaimClient:
    """The configured client; in DEBUG without a URL, the embedded simulator (started once)."""
    url = settings.BPJS_VCLAIM_URL
    creds = {"cons_id": settings.BPJS_CONS_ID, "secret": settings.BPJS_SECRET, "user_key": settings.BPJS_USER_KEY}
    if not url and settings.DEBUG and settings.BPJS_EMBEDDED_SIMULATOR:
        url, creds = simulator.ensure_embedded(), simulator.credentials()
    return VClaimClient(
        base_url=url, timeout=settings.BPJS_TIMEOUT, breaker=_breaker(url), cap=_cap(), **creds
    )  # BpjsNotConfigured if empty


def _breaker(url: str) -> CircuitBreaker:
    """State in Django's cache: every worker agrees when CACHE_URL is shared (Redis)."""
    name = "guarantors:bpjs:" + salted_hmac("guarantors.bpjs.breaker", url).hexdigest()[:16]
    return CircuitBreaker(
        cache,
        failures=settings.BPJS_BREAKER_FAILURES,
        window=settings.BPJS_BREAKER_WINDOW,
        cooloff=settings.BPJS_BREAKER_COOLOFF,
        name=name,
    )


_caps: dict[int, ConcurrencyCap] = {}


def _cap() -> ConcurrencyCap:
    """One semaphore per process (per configured size): threads share it, processes do not."""
    limit = settings.BPJS_MAX_CONCURRENT
    if limit not in _caps:
        _caps.setdefault(limit, ConcurrencyCap(limit))
    return _caps[limit]


def _cached(client: VClaimClient, kind: str, key: str, fetch: Callable[[], T]) -> T:
    """Only answers are cached: a failure raises before `cache.set`, so the next try asks again."""
    seconds = settings.BPJS_CACHE_SECONDS
    if seconds <= 0:
        return fetch()
    # Hashed with the site secret: card numbers never appear in cache keys (e.g. in Redis).
    digest = salted_hmac("guarantors.bpjs.cache", f"{client.base_url}|{kind}|{key}").hexdigest()
    cache_key = f"guarantors:bpjs:{kind}:{digest}"
    try:
        hit = cache.get(cache_key)
    except Exception:  # a broken cache must not break booking
        logger.exception("BPJS cache read failed")
        hit = None
    if hit is not None:
        return hit
    value = fetch()
    try:
        cache.set(cache_key, value, seconds)
    except Exception:
        logger.exception("BPJS cache write failed")
    return value


def _service_date(exam_date: date) -> date:
    # Status "as of" a future date is not something BPJS can know; ask about today.
    return min(exam_date, timezone.localdate())


def participant_by_card(client: VClaimClient, card_number: str, exam_date: date) -> Participant:
    service_date = _service_date(exam_date)
    return _cached(
        client, "card", f"{card_number}|{service_date}", lambda: client.participant_by_card(card_number, service_date)
    )


def participant_by_nik(client: VClaimClient, nik: str, exam_date: date) -> Participant:
    service_date = _service_date(exam_date)
    return _cached(client, "nik", f"{nik}|{service_date}", lambda: client.participant_by_nik(nik, service_date))


def referral_by_number(client: VClaimClient, number: str) -> Referral:
    return _cached(client, "referral", number, lambda: client.find_referral(number))


# --- BPJS eligibility ------------------------------------------------------------------------


@dataclass
class EligibilityResult:
    status: str
    field_errors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    checked_at: datetime = field(default_factory=timezone.now)
    message: str = ""

    @property
    def is_verified(self) -> bool:
        return self.status == VERIFIED

    def codes(self, field_name: str) -> list[str]:
        return [code for _message, code in self.field_errors.get(field_name, [])]

    def as_json(self) -> dict[str, Any]:
        """For a JSONField on the booking: what was asked, when, and what BPJS said."""
        return {
            "status": self.status,
            "checked_at": self.checked_at.isoformat(),
            "message": self.message,
            "errors": {name: [code for _m, code in errors] for name, errors in self.field_errors.items()},
            "summary": self.summary,
        }


class _Check:
    """Collects errors and what BPJS said while the steps run."""

    def __init__(self) -> None:
        self.errors: dict[str, list[tuple[str, str]]] = {}
        self.summary: dict[str, Any] = {}
        self.failure: BpjsError | None = None

    def error(self, field_name: str, message: str, code: str) -> None:
        self.errors.setdefault(field_name, []).append((message, code))

    def ask(self, field_name: str, not_found: tuple[str, str], fetch: Callable[[], T]) -> T | None:
        try:
            return fetch()
        except BpjsNotFound as exc:
            self.summary[f"{field_name}_bpjs_message"] = exc.bpjs_message
            self.error(field_name, *not_found)
        except BpjsError as exc:
            # Class name only: card and referral numbers stay out of the logs.
            logger.warning("BPJS eligibility check not possible: %s", exc.__class__.__name__)
            self.failure = exc
        return None

    def result(self) -> EligibilityResult:
        if self.errors:
            return EligibilityResult(REJECTED, self.errors, self.summary)
        if self.failure is not None:
            self.summary["failure"] = self.failure.__class__.__name__
            return EligibilityResult(UNVERIFIED, {}, self.summary, message=unverified_message())
        return EligibilityResult(VERIFIED, {}, self.summary)


def unverified_message() -> str:
    return _(
        "We could not check your BPJS card with BPJS just now. Your booking is kept and marked "
        "“guarantor not yet verified”; the registration desk will check your card and referral when you arrive."
    )


def validate_guarantor_numbers(gtype: GuarantorType, *, card_number: str, referral_number: str) -> tuple[str, str]:
    """The card and referral numbers this type asks for, normalised ("" for those it does not ask for).

    Raises one ValidationError with an error per field (codes from guarantors.validators).
    """
    errors: dict[str, ValidationError] = {}
    card = referral = ""
    try:
        if gtype.is_bpjs_kesehatan:  # VClaim's format, whatever pattern the type was given
            card = validators.validate_card_number(card_number)
        elif gtype.needs_card_number:
            card = validators.validate_other_card_number(
                card_number, pattern=gtype.card_number_pattern, label=gtype.card_number_label
            )
    except ValidationError as exc:
        errors["card_number"] = exc
    try:
        if gtype.needs_referral:
            referral = validators.validate_referral_number(referral_number)
    except ValidationError as exc:
        errors["referral_number"] = exc
    if errors:
        raise ValidationError(errors)
    return card, referral


def _check_formats(check: _Check, card: str, referral: str) -> None:
    for field_name, validate, value in (
        ("card_number", validators.validate_card_number, card),
        ("referral_number", validators.validate_referral_number, referral),
    ):
        try:
            validate(value)
        except ValidationError as exc:
            check.error(field_name, exc.messages[0], exc.code)


def check_bpjs_eligibility(
    *, card_number: str, full_name: str, birth_date: date, referral_number: str, clinic_bpjs_code: str, exam_date: date
) -> EligibilityResult:
    card = validators.normalize_card_number(card_number)
    number = validators.normalize_referral_number(referral_number)
    check = _Check()
    _check_formats(check, card, number)
    if check.errors:
        return check.result()
    try:
        client = vclaim_client()
    except BpjsError as exc:
        check.failure = exc
        return check.result()
    participant = check.ask(
        "card_number",
        (_("BPJS does not know this card number. Please check it against the card."), "card_not_found"),
        lambda: participant_by_card(client, card, exam_date),
    )
    if participant is not None:
        _judge_participant(check, participant, full_name, birth_date)
    if check.failure is not None:
        return check.result()  # BPJS is struggling: do not make the person wait twice
    referral = check.ask(
        "referral_number",
        (_("BPJS does not know this referral number."), "referral_not_found"),
        lambda: referral_by_number(client, number),
    )
    if referral is not None:
        _judge_referral(check, referral, card, clinic_bpjs_code, exam_date)
    return check.result()


def _judge_participant(check: _Check, participant: Participant, full_name: str, birth_date: date) -> None:
    check.summary["participant"] = participant.summary()
    if participant.premium_unpaid:
        check.error(
            "card_number",
            _(
                "BPJS says the contributions for this card have not been paid, so it is not active. "
                "Please settle them with BPJS or choose another guarantor."
            ),
            "participant_premium_unpaid",
        )
    elif not participant.is_active:
        check.error(
            "card_number",
            _("BPJS says this card is not active (%(status)s). Please choose another guarantor or contact BPJS.")
            % {"status": participant.status_text or "-"},
            "participant_inactive",
        )
    # Deliberately vague: saying whose card it is would leak another person's name.
    if not names_match(full_name, participant.name):
        check.error(
            "card_number", _("The name on this card is not the name of the selected family member."), "name_mismatch"
        )
    if participant.birth_date != birth_date:
        check.error(
            "card_number",
            _("The birth date on this card is not that of the selected family member."),
            "birth_date_mismatch",
        )


def _judge_referral(check: _Check, referral: Referral, card: str, clinic_bpjs_code: str, exam_date: date) -> None:
    valid_until = referral.visit_date + timedelta(days=REFERRAL_VALID_DAYS)
    poli_checked = bool(clinic_bpjs_code and referral.poli_code)
    check.summary["referral"] = {
        **referral.summary(),
        "valid_until": valid_until.isoformat(),
        "clinic_bpjs_code": clinic_bpjs_code,
        "poli_checked": poli_checked,
    }
    if referral.participant.card_number != card:
        check.error(
            "referral_number", _("This referral was issued for another BPJS card."), "referral_other_participant"
        )
    dates = {"date": date_format(referral.visit_date), "until": date_format(valid_until)}
    if exam_date < referral.visit_date:
        check.error(
            "referral_number",
            _("This referral is dated %(date)s, after the examination date.") % dates,
            "referral_not_yet_valid",
        )
    elif exam_date > valid_until:
        check.error(
            "referral_number",
            _(
                "This referral was issued on %(date)s and is valid for 90 days, until %(until)s, so it is no longer "
                "valid on the examination date. Please ask your primary care clinic for a new referral."
            )
            % dates,
            "referral_expired",
        )
    # An empty poli (some hospital referrals) cannot be compared; the clerk sees it in the summary.
    if poli_checked and referral.poli_code.upper() != clinic_bpjs_code.upper():
        check.error(
            "referral_number",
            _("This referral is for the %(poli)s clinic, not for the clinic you chose.")
            % {"poli": referral.poli_name or referral.poli_code},
            "referral_other_clinic",
        )


# --- SOP 004: JPKMKT patients with an active BPJS card ---------------------------------------


def jpkmkt_should_switch_to_bpjs(*, card_number: str = "", nik: str = "", exam_date: date) -> Participant | None:
    card, nik = validators.normalize_card_number(card_number), (nik or "").strip()
    if not card and not nik:
        return None
    try:
        client = vclaim_client()
        participant = (
            participant_by_card(client, card, exam_date) if card else participant_by_nik(client, nik, exam_date)
        )
    except BpjsError as exc:
        logger.info("JPKMKT-to-BPJS check not possible: %s", exc.__class__.__name__)
        return None
    return participant if participant.is_active else None
