from __future__ import annotations

from django.conf import settings

from facilities.selectors import site_facility


def hospital(request):
    """Who runs this portal, shown in the header and footer of every page.

    With one facility, that facility; with several (a health office's deployment), the HOSPITAL_*
    settings name the operator, and each booking, slip and e-mail names its own facility.
    """
    facility = site_facility()
    if facility is not None:
        return {"HOSPITAL_NAME": facility.name, "HOSPITAL_ADDRESS": facility.address, "HOSPITAL_PHONE": facility.phone}
    return {
        "HOSPITAL_NAME": settings.HOSPITAL_NAME,
        "HOSPITAL_ADDRESS": settings.HOSPITAL_ADDRESS,
        "HOSPITAL_PHONE": settings.HOSPITAL_PHONE,
    }
