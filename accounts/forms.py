"""Account forms: each owns its validation and shows errors under the field."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.consent import CONSENT_TEXT, CONSENT_VERSION
from accounts.models import User
from accounts.phone import format_mobile, normalize_mobile
from portal.lib import mail

PROFILE_FIELDS = [
    "full_name",
    "phone",
    "email",
    "religion",
    "sex",
    "education",
    "blood_type",
    "marital_status",
    "occupation",
]


class ProfileFieldsMixin:
    """Shared checks for the SOP 000 B fields: all required, phone normalised, e-mail unique."""

    def _require_profile_fields(self) -> None:
        for name in PROFILE_FIELDS:
            self.fields[name].required = True
        phone = self.fields["phone"]
        # People type spaces, dashes and +62; the stored E.164 form is at most 16 characters.
        phone.max_length = 25
        phone.validators = [v for v in phone.validators if not isinstance(v, MaxLengthValidator)]
        phone.help_text = _("Indonesian mobile number, e.g. 0812-3456-7890.")
        phone.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel", "maxlength": "25"})
        instance = getattr(self, "instance", None)
        if instance is not None and instance.phone and not self.is_bound:
            self.initial["phone"] = format_mobile(instance.phone)  # shown as people write it
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data.get("phone", ""))

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email", "")).lower()
        # Sign-up never says an address is taken, which would tell anyone who has an account here:
        # the service e-mails the owner instead. A signed-in holder moving to a taken address is told.
        if self.instance.pk and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists."), code="duplicate_email"
            )
        return email


class FocusFirstErrorMixin:
    """After a refusal the page opens on the first field with an error (no script needed: `autofocus`)."""

    def full_clean(self) -> None:
        super().full_clean()
        first = next((name for name in self.fields if name in self.errors), None)
        if first is None:
            return
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        self.fields[first].widget.attrs["autofocus"] = True


class SignupForm(FocusFirstErrorMixin, ProfileFieldsMixin, BaseUserCreationForm):
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("You must agree to the processing of your data to register.")},
    )

    class Meta:
        model = User
        fields = PROFILE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._require_profile_fields()
        self.fields["consent"].label = CONSENT_TEXT % {
            "hospital": settings.HOSPITAL_NAME,
            "version": CONSENT_VERSION,
        }
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password again")

    def full_clean(self) -> None:
        super().full_clean()
        if self.errors:
            # Passwords are never sent back to the page; say so, or the empty boxes look like a fault.
            field = self.fields["password1"]
            field.help_text = format_html(
                '<strong class="d-block" id="passwords-emptied">{}</strong>{}',
                _("For your safety the passwords are not kept when the form is refused: type them again."),
                field.help_text,
            )
            self["password1"].help_text = field.help_text  # the bound field copied it while cleaning

    def _get_validation_exclusions(self) -> set[str]:
        # Nor may the model's unique checks say so: whether the address is taken is the service's.
        return {*super()._get_validation_exclusions(), "email"}


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    # Moving the account to another e-mail address is a change of who can sign in and reset the
    # password, so it asks for the password again (a borrowed, still signed-in phone is not enough).
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only when you change your e-mail address."),
    )

    class Meta:
        model = User
        fields = PROFILE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._require_profile_fields()
        self._saved_email = self.instance.email

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and email != self._saved_email:
            password = cleaned.get("current_password", "")
            if not password:
                self.add_error(
                    "current_password",
                    forms.ValidationError(
                        _("Enter your current password to change your e-mail address."), code="required"
                    ),
                )
            elif not self.instance.check_password(password):
                self.add_error(
                    "current_password",
                    forms.ValidationError(_("This is not your current password."), code="password_incorrect"),
                )
        return cleaned


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, labelled like the rest of the site; the link goes by the durable worker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail")

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ) -> None:
        link = mail.absolute_url("password_reset_confirm", uidb64=context["uid"], token=context["token"])
        user = context["user"]
        mail.queue("registration/password_reset", to=to_email, account=user, context={"user": user, "link": link})


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for e-mail and case-insensitive."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail")
        username.widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "maxlength": "254"})
        # Django sets max_length on this field after it is built, so no length check runs: a huge
        # value reached authenticate() and django-axes' 255-character column (a 500).
        username.validators.append(MaxLengthValidator(User._meta.get_field("email").max_length))
        self.error_messages["invalid_login"] = _("The e-mail address or password is wrong. Check both and try again.")

    def clean_username(self) -> str:
        return self.cleaned_data.get("username", "").strip().lower()
