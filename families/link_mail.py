"""A message to a patient's verified account holders when another account links the patient.

One message per holder, each with its own signed link to the review page ("not my family" /
approve), on the holder's channels (notifications.notify: written with the link, delivered by
the worker after the commit, so a mail server or gateway that is down never fails the link).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from families import selectors
from families.models import AccountPatient
from notifications.services import notify
from portal.lib import mail

_SALT = "families.link-review"


def review_token(link: AccountPatient, holder_id: int) -> str:
    """Names the new link and the holder it was sent to; signed, and it expires."""
    return signing.dumps({"l": link.pk, "h": holder_id}, salt=_SALT)


def review_token_read(token: str) -> tuple[int, int] | None:
    """(link id, holder account id) from a valid, unexpired token; None otherwise."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.FAMILY_LINK_REVIEW_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or not isinstance(data.get("l"), int) or not isinstance(data.get("h"), int):
        return None
    return data["l"], data["h"]


def notify_holders(link: AccountPatient) -> int:
    """Queue a message to every other verified holder of the link's patient; how many were queued."""
    holders = list(selectors.verified_holders(link.patient, exclude_account=link.account))
    for holder_link in holders:
        holder = holder_link.account
        notify(
            "families/emails/new_link",
            account=holder,
            context={
                "holder_name": holder.full_name,
                "patient_name": link.patient.full_name,
                "new_account": link.account.full_name,
                "review_url": mail.absolute_url("families:link_review", review_token(link, holder.pk)),
            },
            forget_when_done=True,  # the review link can end the new account's access
        )
    return len(holders)
