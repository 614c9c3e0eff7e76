"""The kiosk's one input: the booking code from a scanner or the on-screen keypad."""

from __future__ import annotations

from queueing.desk.forms import CheckInForm


class KioskCheckInForm(CheckInForm):
    """The counter's check-in form (same code rules), with a huge input and no phone/OS keyboard."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"id": "kiosk-code", "inputmode": "none", "class": "form-control kiosk-code", "maxlength": "40"}
        )
