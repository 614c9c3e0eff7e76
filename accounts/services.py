"""Writes that carry account rules: sign-up with consent, e-mail confirmation, profile edits."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.consent import CONSENT_VERSION
from accounts.models import RateLimitBucket, User
from portal.lib import mail

log = logging.getLogger(__name__)

_CONFIRM_SALT = "accounts.email-confirmation"
_RATE_LIMIT_SALT = "accounts.rate-limit"
HOUR = 60 * 60


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """django-axes keys lockouts on the lower-cased e-mail, as sign-in is case-insensitive."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    # Cut to the e-mail column's width: django-axes stores it in a 255-character column.
    return str(raw).strip().lower()[:254]


def account_signup(*, request: HttpRequest, password: str, email: str, **fields: Any) -> User | None:
    """Create an account holder who agreed to the current consent text, and e-mail a confirmation link.

    An address that already has an account gets an e-mail telling its owner instead, and None is
    returned: the page answers the same either way, so sign-up does not reveal who has an account.
    Sign-ups are counted per IP address first (whatever the answer), so fresh accounts cannot be
    made in bulk to get round per-account limits.
    """
    if not signup_allowed(request):
        raise ValidationError(
            _(
                "Too many new accounts from this network in the last hour. Try again later, or ask "
                "the registration counter for help."
            ),
            code="too_many_signups",
        )
    if not User.objects.filter(email__iexact=email).exists():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, consent_version=CONSENT_VERSION, consent_at=timezone.now(), **fields
                )
        except IntegrityError:  # two sign-ups racing for one address: the constraint decides
            pass
        else:
            send_confirmation_email(user=user)
            return user
    make_password(password)  # the same hashing work as a new account, so the time tells nothing either
    _send_account_exists_notice(email=email)
    return None


def _send_account_exists_notice(*, email: str) -> None:
    owner = User.objects.filter(email__iexact=email, is_active=True).first()
    if owner is None or not rate_limit_take(
        scope="signup_taken", identifier=owner.email, limit=settings.CONFIRMATION_EMAILS_PER_HOUR
    ):
        return
    _send_notice(user=owner, template="accounts/emails/account_exists_notice", login_link=mail.absolute_url("login"))


def account_update_profile(*, request: HttpRequest, user: User, changed: list[str]) -> User:
    """Save profile edits. A new e-mail address is only pending: the account keeps its current,
    confirmed address until the link sent to the new one is opened (and the old one is told)."""
    current = User.objects.values_list("email", flat=True).get(pk=user.pk)
    new_email = user.email if "email" in changed and user.email != current else ""
    user.email = current
    if new_email:
        if not confirmation_email_allowed(user):
            raise ValidationError({"email": ValidationError(too_many_emails_message(), code="too_many_emails")})
        user.pending_email = new_email
    with transaction.atomic():
        user.save()
    if new_email:
        send_confirmation_email(user=user, email=new_email)
        send_email_change_notice(user=user, new_email=new_email)
    return user


def confirmation_token(user: User, email: str | None = None) -> str:
    # The address is part of the token, so a link only ever confirms the address it was sent to.
    return signing.dumps({"u": user.pk, "e": email or user.email}, salt=_CONFIRM_SALT)


def send_confirmation_email(*, user: User, email: str | None = None) -> None:
    """E-mail a confirmation link to the account's address, or to the new address given."""
    email = email or user.email
    mail.queue(
        "accounts/emails/confirm_email",
        to=email,
        account=user,
        context={
            "user": user,
            "link": mail.absolute_url("accounts:confirm_email", confirmation_token(user, email)),
            "hours": settings.EMAIL_CONFIRM_MAX_AGE // 3600,
        },
    )


def _send_notice(*, user: User, template: str, **extra: Any) -> None:
    mail.queue(
        template,
        to=user.email,
        account=user,
        context={"user": user, "reset_link": mail.absolute_url("password_reset"), **extra},
    )


def send_email_change_notice(*, user: User, new_email: str) -> None:
    """Tell the current address that someone asked to move the account to another one."""
    _send_notice(user=user, new_email=new_email, template="accounts/emails/email_change_notice")


def send_password_changed_notice(*, user: User) -> None:
    """Tell the account holder their password changed, so a change they did not make is noticed."""
    _send_notice(user=user, template="accounts/emails/password_changed_notice")


def _invalid_link() -> ValidationError:
    return ValidationError(_("This confirmation link is not valid."), code="invalid")


def account_confirm_email(*, token: str) -> User:
    """Confirm the address in a valid, unexpired link; a pending new address becomes the account's."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.EMAIL_CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This confirmation link has expired. Ask for a new one."), code="expired") from exc
    except signing.BadSignature as exc:
        raise _invalid_link() from exc
    email = data.get("e") if isinstance(data, dict) else None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first() if email else None
    if user is None or email not in (user.email, user.pending_email):
        raise _invalid_link()
    if email != user.email:
        return _switch_to_pending_email(user)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def _switch_to_pending_email(user: User) -> User:
    taken = ValidationError(
        _("Another account now uses this e-mail address, so it cannot be moved to yours."), code="duplicate_email"
    )
    if User.objects.filter(email__iexact=user.pending_email).exclude(pk=user.pk).exists():
        raise taken
    user.email, user.pending_email, user.email_confirmed_at = user.pending_email, "", timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "pending_email", "email_confirmed_at"])
    except IntegrityError as exc:  # a sign-up took the address in the meantime: the constraint decides
        raise taken from exc
    return user


# --- throttles ------------------------------------------------------------------------------


def rate_limit_take(*, scope: str, identifier: str, limit: int, window_seconds: int = HOUR) -> bool:
    """Count one action in the current fixed window; False (and nothing counted) once `limit` is reached."""
    now = timezone.now()
    start = dt.datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, tz=dt.UTC)
    key = salted_hmac(_RATE_LIMIT_SALT, f"{scope}:{identifier}", algorithm="sha256").hexdigest()
    with transaction.atomic():
        _bucket, created = RateLimitBucket.objects.get_or_create(scope=scope, key=key, window_start=start)
        taken = RateLimitBucket.objects.filter(pk=_bucket.pk, hits__lt=limit).update(hits=F("hits") + 1)
    if created:  # a new window: a good moment to forget windows that ended a day ago
        RateLimitBucket.objects.filter(window_start__lt=now - dt.timedelta(days=1)).delete()
    return taken == 1


def rate_limit_reached(*, scope: str, identifier: str, limit: int, window_seconds: int = HOUR) -> bool:
    """Whether `limit` actions were already counted in the current window (counts nothing).

    For throttles that count only failures: check before the attempt, `rate_limit_take` after a failure.
    """
    now = timezone.now()
    start = dt.datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, tz=dt.UTC)
    key = salted_hmac(_RATE_LIMIT_SALT, f"{scope}:{identifier}", algorithm="sha256").hexdigest()
    return RateLimitBucket.objects.filter(scope=scope, key=key, window_start=start, hits__gte=limit).exists()


def password_reset_allowed(*, request: HttpRequest, email: str) -> bool:
    """Whether to send a reset e-mail: a few per address and more per IP address per hour, so nobody
    can flood a mailbox. The caller answers the same either way (no hint whether an account exists)."""
    by_email = rate_limit_take(
        scope="reset_email", identifier=email.strip().lower(), limit=settings.PASSWORD_RESET_EMAILS_PER_HOUR
    )
    by_ip = by_email and rate_limit_take(
        scope="reset_ip",
        identifier=get_client_ip_address(request) or "",
        limit=settings.PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR,
    )
    if not by_ip:
        log.warning("password reset e-mail throttled (%s)", "address" if not by_email else "IP address")
    return by_ip


def signup_allowed(request: HttpRequest) -> bool:
    """Sign-ups per IP address per hour: fresh accounts must not be a way round per-account limits."""
    allowed = rate_limit_take(
        scope="signup_ip", identifier=get_client_ip_address(request) or "", limit=settings.SIGNUPS_PER_IP_PER_HOUR
    )
    if not allowed:
        log.warning("sign-up throttled per IP address")
    return allowed


def confirmation_email_allowed(user: User) -> bool:
    """A few confirmation e-mails per account per hour (resends and e-mail changes together)."""
    return rate_limit_take(scope="confirm_email", identifier=str(user.pk), limit=settings.CONFIRMATION_EMAILS_PER_HOUR)


def too_many_emails_message() -> str:
    return _("We already sent several e-mails to this account in the last hour. Wait an hour, then try again.")
