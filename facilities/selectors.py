"""Reads about facilities: which exist, which a staff member works at."""

from __future__ import annotations

import time

from django.db.models import QuerySet

from facilities.models import Facility, FacilityRole


def facilities_for(user, *, roles: tuple[str, ...] | None = None) -> QuerySet[Facility]:
    """The facilities a staff user belongs to (optionally in given roles); superusers get every facility."""
    if not getattr(user, "is_authenticated", False):
        return Facility.objects.none()
    if user.is_superuser:
        return Facility.objects.all()
    memberships = user.facility_memberships.all()
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Facility.objects.filter(pk__in=memberships.values("facility_id"))


def bookable_facilities() -> QuerySet[Facility]:
    """Facilities patients may choose from (active ones)."""
    return Facility.objects.active()


FACILITIES_TTL = 5.0
_ACTIVE_CACHE: dict[str, tuple[float, list[Facility]]] = {}


def active_facilities() -> list[Facility]:
    """The active facilities, kept in this process for a few seconds (read on every page; saving one clears it)."""
    cached = _ACTIVE_CACHE.get("rows")
    if cached is None or cached[0] < time.monotonic():
        cached = _ACTIVE_CACHE["rows"] = (time.monotonic() + FACILITIES_TTL, list(bookable_facilities()))
    return cached[1]


def active_facility(pk) -> Facility | None:
    """One active facility by primary key, from the list kept in this process (no query most of the time)."""
    return next((f for f in active_facilities() if f.pk == pk), None)


def forget_facilities(**_kwargs) -> None:
    """Signal receiver (facilities.apps): a saved or deleted facility is seen at once by this process."""
    _ACTIVE_CACHE.clear()


def is_multi_facility() -> bool:
    """Whether patients see a facility choice at all: never in a single-facility deployment."""
    return len(active_facilities()) > 1


def site_facility() -> Facility | None:
    """The one facility a single-facility deployment is about (its name heads every page); None with several."""
    facilities = active_facilities()
    return facilities[0] if len(facilities) == 1 else None


__all__ = [
    "FacilityRole",
    "active_facilities",
    "active_facility",
    "bookable_facilities",
    "facilities_for",
    "is_multi_facility",
    "site_facility",
]
