"""On a phone screen: family members as cards with "Ubah" in view, sign-up refusals that keep focus."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, make_account
from portal.tests.browser import browser_login
from queueing.tests.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (360, 740)])
def test_dashboard_shows_members_as_cards_with_edit_in_view_and_no_sideways_scroll(browser, live_server, width, height):
    account = make_account("dina@example.com", "Dina Kartika")
    make_member(account, "Dina Kartika", mrn="00012345")
    make_member(account, "Bima Kartika", relationship="child", mrn=None)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    page.base_url = live_server.url
    browser_login(page, account.email, PASSWORD)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    edits = page.locator("#members .member-edit")
    assert edits.count() == 2
    for i in range(2):
        box = edits.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    card = page.locator("#members tbody tr", has_text="Dina Kartika")
    text = card.inner_text()
    assert "00-01-23-45" in text and "Ubah" in text
    labels = card.locator("td[data-label]").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)"
    )
    assert '"Nomor Rekam Medis"' in labels  # each value carries its label on the card
    # No empty gap between the "add" button and the first card.
    gap = (
        card.bounding_box()["y"]
        - page.locator("#add-member").bounding_box()["y"]
        - page.locator("#add-member").bounding_box()["height"]
    )
    assert gap < 40
    context.close()


def test_desktop_dashboard_keeps_the_table(page):
    account = make_account("dina@example.com", "Dina Kartika")
    make_member(account, "Dina Kartika")
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, account.email, PASSWORD)
    assert page.locator("#members thead").is_visible()
    assert page.locator("#members tbody tr").evaluate("el => getComputedStyle(el).display") == "table-row"


def test_refused_signup_focuses_the_first_error_and_links_the_summary_to_it(page):
    page.goto(f"{page.base_url}/akun/daftar/")
    page.fill("#id_full_name", "Rina Kusuma")
    page.fill("#id_phone", "12")
    page.fill("#id_password1", "jalan-pagi-ke-pasar")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "id_phone"
    assert page.input_value("#id_password1") == ""
    assert page.locator("#passwords-emptied").is_visible()
    page.click("#error-summary a[href='#id_email']")
    assert page.evaluate("location.hash") == "#id_email"


def test_every_page_names_a_favicon_and_favicon_ico_points_at_it(client, db):
    html = client.get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("favicon.svg")
