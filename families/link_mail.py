"""E-mail to a patient's verified account holders when another account links the patient.

Sent after the link commits, one message per holder, each with its own signed link to the
review page ("not my family" / approve). A mail server that is down is logged, never raised:
the link is made and the person's page answers normally.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from families import selectors
from families.models import AccountPatient

log = logging.getLogger(__name__)

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


def notify_holders_on_commit(link: AccountPatient) -> None:
    """Queue the e-mails for after the surrounding transaction commits (nothing is sent on rollback)."""
    transaction.on_commit(lambda: notify_holders(link.pk))


def notify_holders(link_id: int) -> int:
    """E-mail every other verified holder of the link's patient; how many messages went out."""
    link = AccountPatient.objects.select_related("patient", "account").filter(pk=link_id).first()
    if link is None:
        return 0
    sent = 0
    for holder_link in selectors.verified_holders(link.patient, exclude_account=link.account):
        sent += _send(link, holder_link)
    return sent


def _send(link: AccountPatient, holder_link: AccountPatient) -> int:
    holder = holder_link.account
    url = settings.SITE_URL.rstrip("/") + reverse("families:link_review", args=[review_token(link, holder.pk)])
    context = {"holder": holder, "patient_name": link.patient.full_name, "new_account": link.account.full_name,
               "hospital": settings.HOSPITAL_NAME, "hospital_phone": settings.HOSPITAL_PHONE, "review_url": url,
               "linked_at": link.created_at}
    subject = _("Another account added %(name)s at %(hospital)s") % {"name": link.patient.full_name,
                                                                     "hospital": settings.HOSPITAL_NAME}
    try:
        send_mail(subject=subject, message=render_to_string("families/emails/new_link.txt", context),
                  from_email=None, recipient_list=[holder.email])
    except Exception:  # noqa: BLE001 - an SMTP failure must never undo the link or answer 500
        log.exception("new-link notice to an existing holder failed (link %s)", link.pk)
        return 0
    return 1
