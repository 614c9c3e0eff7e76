"""Reads about facilities: which exist, which a staff member works at."""

from __future__ import annotations

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


def is_multi_facility() -> bool:
    """Whether patients see a facility choice at all: never in a single-facility deployment."""
    return Facility.objects.active().count() > 1


__all__ = ["FacilityRole", "bookable_facilities", "facilities_for", "is_multi_facility"]
