from __future__ import annotations

from django.conf import settings


def hospital(request):
    """The hospital's identity, shown in the header and footer of every page."""
    return {
        "HOSPITAL_NAME": settings.HOSPITAL_NAME,
        "HOSPITAL_ADDRESS": settings.HOSPITAL_ADDRESS,
        "HOSPITAL_PHONE": settings.HOSPITAL_PHONE,
    }
