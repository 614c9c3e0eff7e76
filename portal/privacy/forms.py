"""Closing an account asks for the password again: a borrowed, still signed-in phone is not enough."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AccountCloseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    understood = forms.BooleanField(
        label=_("I understand that my family links are removed and that I cannot sign in with this account again."),
        error_messages={"required": _("Tick this box to close the account.")},
    )
