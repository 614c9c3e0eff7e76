"""Django's own admin strings that its Indonesian catalogue leaves in English.

makemessages reads only our code, so the msgids are listed here with gettext_noop: they land in
the root catalogue (locale/), which takes precedence over Django's own.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_ADMIN_STRINGS = [
    gettext_noop("Breadcrumbs"),  # aria-label of the admin's breadcrumb trail
    gettext_noop("Sidebar"),  # aria-label of the admin's app menu
]
