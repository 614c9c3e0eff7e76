from django import forms
from django.utils.translation import gettext_lazy as _


class ChannelsForm(forms.Form):
    email = forms.BooleanField(label=_("E-mail"), required=False)
    whatsapp = forms.BooleanField(
        label=_("WhatsApp"),
        required=False,
        help_text=_("Messages go to the mobile phone number in your profile."),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_whatsapp(self):
        wanted = self.cleaned_data["whatsapp"]
        if wanted and not self.account.phone:
            raise forms.ValidationError(_("Add your mobile phone number to your profile first."), code="phone_missing")
        return wanted

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("email") and not cleaned.get("whatsapp"):
            # Without a channel the patient would miss a cancelled clinic day.
            self.add_error("email", forms.ValidationError(_("Choose at least one channel."), code="no_channel"))
        return cleaned
