"""The account holder: a patient (or parent, child, carer) who books for a family."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import BloodType, Education, MaritalStatus, Occupation, Religion, Sex


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str):
        # Sign-in by e-mail is case-insensitive.
        return self.get(email__iexact=username)

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("full_name", "Administrator")
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account holder, signed in by e-mail (SOP 000 B)."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    # A changed address waits here until the link sent to it is opened: a typo or a hijacked
    # session cannot take the account away from the address that signs in today.
    pending_email = models.EmailField(_("new e-mail address, not yet confirmed"), max_length=254, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("mobile phone"), max_length=16, blank=True)
    religion = models.CharField(_("religion"), max_length=16, choices=Religion.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    blood_type = models.CharField(_("blood type"), max_length=8, choices=BloodType.choices, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=16, choices=MaritalStatus.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices, blank=True)
    # The channels this account wants its messages on (notifications.services.notify); kept on the
    # account row, which every signed-in request has loaded already, so a booking's message costs
    # no extra read.
    notify_by_email = models.BooleanField(_("messages by e-mail"), default=True)
    notify_by_whatsapp = models.BooleanField(_("messages by WhatsApp"), default=False)
    consent_version = models.CharField(_("consent version"), max_length=16, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_code="email_taken",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(notify_by_email=True) | Q(notify_by_whatsapp=True),
                name="accounts_user_notified_somehow",
                violation_error_code="no_channel",
                violation_error_message=_("Choose at least one channel."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def profile_complete(self) -> bool:
        required = (
            self.full_name,
            self.phone,
            self.religion,
            self.sex,
            self.education,
            self.blood_type,
            self.marital_status,
            self.occupation,
        )
        return all(required)


class RateLimitBucket(models.Model):
    """How often an action (a reset or confirmation e-mail) happened in one fixed time window.

    A table, not the cache: every gunicorn worker and server sees the same count, and the
    conditional UPDATE (hits < limit) is atomic, so parallel requests cannot overrun the limit.
    The key is an HMAC of the e-mail address, IP or account, so none is stored in clear.
    """

    scope = models.CharField(_("scope"), max_length=32)
    key = models.CharField(_("key"), max_length=64)
    window_start = models.DateTimeField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"],
                name="accounts_ratelimitbucket_one_per_window",
                violation_error_code="bucket_exists",
                violation_error_message=_("This counter already exists for this window."),
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="accounts_ratelimit_start_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M} ({self.hits})"
