"""What a staff user may see: the one owner of facility scoping (issue 11 "People").

Clerks, nurses, kiosks and screens belong to one or more facilities (FacilityMembership) and see
and change only those facilities' rows: bookings, patients who booked or hold a record there,
registers, documents, reports. Every admin queryset, desk selector and document check passes
through `scope_for_staff`; a row outside the scope is simply not found (404 / no row), so it
cannot be told apart from a row that does not exist.

A health-office (Dinas Kesehatan) membership gives aggregated figures only: it is not a staff
role here, so such a user's scope is empty. Superusers see everything.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.lookups import IsNull
from django.http import Http404

from facilities.models import Facility, FacilityMembership, FacilityRole, default_facility

# Roles that work with patients at a facility (and so see its bookings and patients).
STAFF_ROLES: tuple[str, ...] = (
    FacilityRole.CLERK,
    FacilityRole.NURSE,
    FacilityRole.KIOSK,
    FacilityRole.SCREEN,
    FacilityRole.CASHIER,
    FacilityRole.CASHIER_SUPERVISOR,
)


def staff_facility_ids(user) -> list[int] | None:
    """The facility ids whose rows `user` may see; None means every facility (a superuser).

    Staff with no membership at all in a single-facility deployment work as before facilities
    existed (the one facility is theirs); once there are several, only memberships count.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return []
    if user.is_superuser:
        return None
    memberships = FacilityMembership.objects.filter(user=user)
    ids = sorted(set(memberships.filter(role__in=STAFF_ROLES).values_list("facility_id", flat=True)))
    if ids or not user.is_staff or memberships.exists():
        return ids
    facilities = list(Facility.objects.values_list("pk", flat=True)[:2])
    if not facilities:  # a fresh deployment: the facility that its first clinic will belong to
        facilities = [default_facility().pk]
    return facilities if len(facilities) == 1 else []


def _multi_valued(model, path: str) -> bool:
    """Whether the lookup `path` from `model` passes a reverse or many-to-many relation (a patient's bookings)."""
    for name in path.split(LOOKUP_SEP):
        if name == "pk":
            return False
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


def scope_for_staff(queryset: QuerySet, user, *paths: str) -> QuerySet:
    """`queryset` narrowed to rows reaching one of the user's facilities through any of `paths`.

    Each path is a lookup from the model to a Facility (``"clinic__facility"`` for a booking).
    A single-valued path is a plain join condition. A multi-valued one (a patient's bookings) is an
    EXISTS per row, so that no row repeats: the planner probes the few candidate rows' bookings by
    index, where `pk IN (every matching row's id)` built a hash of a third of a million bookings
    on every page (issue 16).
    """
    ids = staff_facility_ids(user)
    if ids is None:
        return queryset
    if not ids:
        return queryset.none()
    return queryset.filter(facility_condition(queryset.model, ids, *paths))


def facility_condition(model, ids: list[int], *paths: str) -> Q:
    """The condition of `scope_for_staff` for the facilities `ids`, to combine with others."""
    query = Q()
    for path in paths:
        if _multi_valued(model, path):
            first, _sep, rest = path.partition(LOOKUP_SEP)
            field = model._meta.get_field(first)
            if field.one_to_many and rest:  # a reverse foreign key (a patient's bookings): probe that table
                query |= related_exists(field, **{f"{rest}__in": ids})
            else:
                query |= Exists(model._default_manager.filter(pk=OuterRef("pk"), **{f"{path}__in": ids}))
        else:
            query |= Q(**{f"{path}__in": ids})
    return query


def related_exists(field, **conditions) -> Exists:
    """EXISTS (a row of the reverse foreign key `field` pointing at the outer row, with `conditions`).

    The related table is probed by its foreign-key index, without joining the outer table again.
    `outer pk IS NOT NULL` (always true) keeps PostgreSQL from planning the probe as a "hashed
    SubPlan": expecting thousands of candidate rows (a common name), it would otherwise hash all of
    a facility's 200,000 medical records on every page, although the page's LIMIT stops after a
    few hundred probes (issue 16: 400 ms of a 540 ms count).
    """
    related = field.related_model._base_manager.filter(**{field.field.name: OuterRef("pk")}, **conditions)
    return Exists(related.filter(IsNull(OuterRef("pk"), False)))


def is_health_office(user) -> bool:
    """A health-office (Dinas Kesehatan) account: every facility's figures, no patient's identity."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (
            user.is_superuser or FacilityMembership.objects.filter(user=user, role=FacilityRole.HEALTH_OFFICE).exists()
        )
    )


def has_several_facilities(user) -> bool:
    """Whether a facility filter or switch means anything to `user`: they work at more than one facility."""
    ids = staff_facility_ids(user)
    if ids is None:
        return Facility.objects.active().count() > 1
    return len(ids) > 1


def facility_choices(queryset: QuerySet, user, path: str | None) -> QuerySet:
    """A foreign key's choices narrowed to the user's facilities (`path` from the related model to a Facility)."""
    if queryset.model is Facility:
        ids = staff_facility_ids(user)
        return queryset if ids is None else queryset.filter(pk__in=ids)
    return scope_for_staff(queryset, user, path) if path else queryset


class FacilityScopedChoices:
    """ModelAdmin/InlineModelAdmin mixin: foreign-key dropdowns offer only the user's facilities' rows.

    A related model with a `facility` field is scoped through it; others name their path in
    `choice_facility_paths` (field name -> lookup to a Facility, e.g. {"schedule": "clinic__facility"}).
    """

    choice_facility_paths: dict[str, str] = {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            path = self.choice_facility_paths.get(db_field.name)
            if path is None and any(f.name == "facility" for f in db_field.related_model._meta.get_fields()):
                path = "facility"
            field.queryset = facility_choices(field.queryset, request.user, path)
        return field


class FacilityScopedAdmin(FacilityScopedChoices):
    """ModelAdmin mixin: querysets scoped by `facility_paths`; an object outside the scope is a 404.

    Django's admin answers a missing object with a redirect to the index; here the change,
    history and delete pages of a row the user may not see answer 404, like any other URL.
    """

    facility_paths: tuple[str, ...] = ("facility",)

    def scope_queryset(self, request, queryset: QuerySet) -> QuerySet:
        return scope_for_staff(queryset, request.user, *self.facility_paths)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Before the permission check: a row outside the scope is "not found" even to staff
        # who lack the permission (a 403 would say that it exists).
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404
