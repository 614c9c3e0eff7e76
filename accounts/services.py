"""Writes that carry account rules: sign-up with consent, e-mail confirmation, profile edits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.consent import CONSENT_VERSION
from accounts.models import User

_CONFIRM_SALT = "accounts.email-confirmation"


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """django-axes keys lockouts on the lower-cased e-mail, as sign-in is case-insensitive."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    # Cut to the e-mail column's width: django-axes stores it in a 255-character column.
    return str(raw).strip().lower()[:254]


def _duplicate_email_error() -> ValidationError:
    return ValidationError(
        {"email": ValidationError(_("An account with this e-mail address already exists."), code="duplicate_email")}
    )


def account_signup(*, request: HttpRequest, password: str, **fields: Any) -> User:
    """Create an account holder who agreed to the current consent text, and e-mail a confirmation link."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                password=password, consent_version=CONSENT_VERSION, consent_at=timezone.now(), **fields
            )
    except IntegrityError as exc:  # two sign-ups racing for one address: the constraint decides
        raise _duplicate_email_error() from exc
    transaction.on_commit(lambda: send_confirmation_email(request=request, user=user))
    return user


def account_update_profile(*, request: HttpRequest, user: User, changed: list[str]) -> User:
    """Save profile edits; a new e-mail address must be confirmed again."""
    email_changed = "email" in changed
    if email_changed:
        user.email_confirmed_at = None
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise _duplicate_email_error() from exc
    if email_changed:
        transaction.on_commit(lambda: send_confirmation_email(request=request, user=user))
    return user


def confirmation_token(user: User) -> str:
    # The address is part of the token, so a link sent to an old address stops working.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_CONFIRM_SALT)


def send_confirmation_email(*, request: HttpRequest, user: User) -> None:
    link = request.build_absolute_uri(reverse("accounts:confirm_email", args=[confirmation_token(user)]))
    context = {"user": user, "link": link, "hospital": settings.HOSPITAL_NAME,
               "hours": settings.EMAIL_CONFIRM_MAX_AGE // 3600}
    send_mail(
        subject=_("Confirm your e-mail address for %(hospital)s online registration")
        % {"hospital": settings.HOSPITAL_NAME},
        message=render_to_string("accounts/emails/confirm_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def account_confirm_email(*, token: str) -> User:
    """Mark the address in a valid, unexpired link as confirmed."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.EMAIL_CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This confirmation link has expired. Ask for a new one."), code="expired") from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid") from exc
    user = User.objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user is None:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user
