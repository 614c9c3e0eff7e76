"""Who may see which facility's outpatient report.

Clerks of a facility (FacilityMembership role clerk; in a single-facility deployment, a counter
clerk without memberships) see its report, as does any staff member of
the facility holding `reports.view_outpatient_report` (a head of unit). A health-office account
sees every facility's figures, each or all summed: the report holds counts only, never a patient.
Anyone else gets 404, so the page does not tell who may see it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from facilities.models import Facility, FacilityMembership, FacilityRole
from facilities.scope import is_health_office, staff_facility_ids

PERMISSION = "reports.view_outpatient_report"
COUNTER_PERMISSION = "queueing.change_booking"


def report_facilities(user) -> QuerySet:
    """The facilities whose report `user` may open (every facility for the health office and superusers)."""
    if is_health_office(user):
        return Facility.objects.all()
    ids = staff_facility_ids(user)
    if ids is None:
        return Facility.objects.all()
    if user.has_perm(PERMISSION):
        return Facility.objects.filter(pk__in=ids)
    memberships = FacilityMembership.objects.filter(user=user)
    if not memberships.exists() and user.has_perm(COUNTER_PERMISSION):
        # A single-facility deployment's counter clerk, from before facilities had members.
        return Facility.objects.filter(pk__in=ids)
    clerk_of = memberships.filter(role=FacilityRole.CLERK).values("facility_id")
    return Facility.objects.filter(pk__in=ids).filter(pk__in=clerk_of)


def may_sum_facilities(user) -> bool:
    """The health office (and a superuser) may see all facilities summed into one report."""
    return is_health_office(user)
