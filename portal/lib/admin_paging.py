"""Admin lists that count at most a thousand rows (issue 16, "Scale of data").

A search for a common name ("budi": 20,000 of 500,000 patients) spent most of its time counting
every match, each checked against the clerk's facilities, for page links nobody follows to the
200th page. The count stops at `count_cap` + 1 rows; past the cap the list says "more than 1,000
found, refine the search" (templates/admin/pagination.html, search_form.html, actions.html) and
offers the first `count_cap` rows' pages.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedCountPaginator(Paginator):
    """`count` is the number of rows up to `cap`; `capped` says whether more exist beyond it."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap: int = COUNT_CAP):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # Without ORDER BY the LIMIT stops the scan at the cap: a sorted subquery would read every match.
            counted = rows.order_by()[: self.cap + 1].count()
        else:
            counted = len(rows[: self.cap + 1])
        self.capped = counted > self.cap
        return min(counted, self.cap)


class CappedCountAdmin:
    """ModelAdmin mixin: the changelist's paginator counts at most `count_cap` rows (and no full count)."""

    count_cap = COUNT_CAP
    paginator = CappedCountPaginator
    show_full_result_count = False  # the "N total" link would count the whole table again

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # Above one page: Django's changelist shows the whole queryset, unsliced, when the count
        # fits on one page (a capped count must never look like that).
        cap = max(self.count_cap, per_page + 1)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)
