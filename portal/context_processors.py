from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy

from facilities.selectors import site_facility


def _detail(name: str) -> str:
    facility = site_facility()
    if facility is not None:
        return getattr(facility, name)
    return getattr(settings, f"HOSPITAL_{name.upper()}")


_lazy_detail = lazy(_detail, str)


def hospital(request):
    """Who runs this portal, shown in the header and footer of every page.

    With one facility, that facility; with several (a health office's deployment), the HOSPITAL_*
    settings name the operator, and each booking, slip and e-mail names its own facility.
    Lazy on purpose: the 503 page, shown when the database is gone, must render without a query.
    """
    return {
        "HOSPITAL_NAME": _lazy_detail("name"),
        "HOSPITAL_ADDRESS": _lazy_detail("address"),
        "HOSPITAL_PHONE": _lazy_detail("phone"),
    }
