"""In Chromium: the cashier scans a booking code, takes a QRIS payment (the reference is required) and prints the receipt."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from cashier.models import Payment
from cashier.tests.conftest import make_visit
from conftest import PASSWORD
from guarantors.models import GuarantorKind
from portal.tests.browser import browser_login
from queueing.tests.desk_helpers import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cashier_scans_the_code_takes_qris_and_prints_the_receipt(page, cashier, rsud_tariffs, rsud, guarantors):
    visit = make_visit(rsud, make_patient("Wayan Sudarsana"), guarantor=guarantors[GuarantorKind.SELF_PAY])

    browser_login(page, cashier.email, PASSWORD)
    assert page.locator("#nav-cashier").count() == 1  # in the (collapsed, phone-sized) menu
    page.goto(f"{page.base_url}/kasir/")
    # A keyboard-wedge scanner types the code and presses Enter in the focused field.
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type(visit.code)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base_url}/kasir/kunjungan/{visit.code}/")
    assert "Rp 50.000" in page.inner_text("#quote-amount")

    page.select_option("select[name=method]", "qris")
    page.click("#pay-form button[type=submit]")  # no reference: refused, under the field
    page.wait_for_selector("#pay-form .invalid-feedback")
    assert not Payment.objects.exists()
    page.fill("input[name=reference]", "QRIS-7781")
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector("#paid")
    payment = Payment.objects.get(booking=visit)
    assert payment.receipt_label in page.inner_text("#paid")

    receipt = page.request.get(page.base_url + page.get_attribute("#print-receipt", "href"))
    assert receipt.headers["content-type"] == "application/pdf"
    document = pdfium.PdfDocument(receipt.body())
    text = document[0].get_textpage().get_text_range()
    assert payment.receipt_label in text and "Wayan Sudarsana" in text and "QRIS-7781" in text
