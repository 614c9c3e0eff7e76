"""The nurse's clinic calling pages: today's sessions, and one session's queue with its four buttons."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from facilities.models import Facility
from queueing.models import Booking, DayQuota
from visitday.nurse import services
from visitday.nurse.access import nurse_view
from visitday.nurse.selectors import session_queue, session_queues, sessions_today


def _day_quota(request: HttpRequest, day_quota_id: int) -> DayQuota:
    """A session of one of the nurse's facilities, today (else 404)."""
    day_quota = get_object_or_404(
        DayQuota.objects.select_related("schedule__clinic__facility", "schedule__doctor"),
        pk=day_quota_id,
        schedule__clinic__facility_id__in=request.nurse_facility_ids,
    )
    if day_quota.date != day_quota.schedule.clinic.facility.local_today():
        raise Http404  # only today's sessions are called
    return day_quota


@nurse_view
@require_GET
def nurse_home(request: HttpRequest) -> HttpResponse:
    facilities = list(Facility.objects.filter(pk__in=request.nurse_facility_ids).order_by("sort_order", "name"))
    groups = []
    for facility in facilities:
        day_quotas = list(sessions_today(facility))
        queues = session_queues(day_quotas)
        groups.append((facility, [queues[dq.pk] for dq in day_quotas]))
    return render(request, "visitday/nurse/home.html", {"groups": groups})


@nurse_view
@require_GET
def nurse_session(request: HttpRequest, day_quota_id: int) -> HttpResponse:
    day_quota = _day_quota(request, day_quota_id)
    queue = session_queue(day_quota, with_patients=True)
    return render(
        request,
        "visitday/nurse/session.html",
        {"queue": queue, "day_quota": day_quota, "user_id": request.user.pk},
    )


def _done(request: HttpRequest, day_quota: DayQuota, work) -> HttpResponse:
    try:
        message = work()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if message:
            messages.success(request, message)
    return redirect("visitday_nurse:session", day_quota_id=day_quota.pk)


@nurse_view
@require_POST
def nurse_call_next(request: HttpRequest, day_quota_id: int) -> HttpResponse:
    day_quota = _day_quota(request, day_quota_id)

    def work() -> str:
        booking = services.clinic_call_next(day_quota=day_quota, actor=request.user)
        return _("Called %(label)s.") % {"label": booking.label}

    return _done(request, day_quota, work)


def _booking(day_quota: DayQuota, booking_id) -> Booking:
    return get_object_or_404(Booking, pk=booking_id, day_quota_id=day_quota.pk)


@nurse_view
@require_POST
def nurse_recall(request: HttpRequest, day_quota_id: int, booking_id) -> HttpResponse:
    day_quota = _day_quota(request, day_quota_id)
    booking = _booking(day_quota, booking_id)

    def work() -> str:
        services.clinic_recall(day_quota=day_quota, booking=booking, actor=request.user)
        return _("Called %(label)s again.") % {"label": booking.label}

    return _done(request, day_quota, work)


@nurse_view
@require_POST
def nurse_not_present(request: HttpRequest, day_quota_id: int, booking_id) -> HttpResponse:
    day_quota = _day_quota(request, day_quota_id)
    booking = _booking(day_quota, booking_id)

    def work() -> str:
        services.clinic_not_present(day_quota=day_quota, booking=booking, actor=request.user)
        return _("%(label)s marked not present: if they check in again they are called a few numbers later.") % {
            "label": booking.label
        }

    return _done(request, day_quota, work)


@nurse_view
@require_POST
def nurse_done(request: HttpRequest, day_quota_id: int, booking_id) -> HttpResponse:
    day_quota = _day_quota(request, day_quota_id)
    booking = _booking(day_quota, booking_id)

    def work() -> str:
        services.clinic_done(day_quota=day_quota, booking=booking, actor=request.user)
        return _("%(label)s done.") % {"label": booking.label}

    return _done(request, day_quota, work)


@nurse_view
@require_POST
def nurse_close(request: HttpRequest, day_quota_id: int) -> HttpResponse:
    day_quota = _day_quota(request, day_quota_id)

    def work() -> str:
        count = services.clinic_session_close(day_quota=day_quota, actor=request.user)
        return _("Session closed: %(count)s unserved patients recorded as not served (task 99).") % {"count": count}

    return _done(request, day_quota, work)
