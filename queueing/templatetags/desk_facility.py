"""The desk header's facility: its name, and the switch for a clerk of several facilities."""

from __future__ import annotations

from django import template

from queueing.desk.views.access import counter_facilities, counter_facility

register = template.Library()


@register.inclusion_tag("queueing/desk/_facility.html", takes_context=True)
def desk_facility_header(context) -> dict:
    request = context["request"]
    facilities = counter_facilities(request)
    return {
        "facility": counter_facility(request),
        "choices": facilities if len(facilities) > 1 else [],  # one facility: no switch
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
