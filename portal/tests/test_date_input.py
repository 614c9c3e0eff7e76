"""Dates people type: one list of formats (portal.lib.dates) for forms, admin search, desk search and import."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.lib.dates import DateInput, parse_date

BIRTHDAY = dt.date(1985, 4, 12)


@pytest.mark.parametrize("text", ["1985-04-12", "12/04/1985", "12-04-1985", "12.04.1985", " 12/04/1985 "])
def test_typed_dates_in_every_accepted_form_are_read(text):
    assert parse_date(text) == BIRTHDAY


@pytest.mark.parametrize("text", ["", "12 April 1985", "31/02/1985", "1985/04/12", "Budi"])
def test_anything_else_is_not_a_date(text):
    assert parse_date(text) is None


def test_the_date_picker_is_given_iso_dates():
    html = DateInput().render("birth_date", BIRTHDAY)

    assert 'type="date"' in html and 'value="1985-04-12"' in html
