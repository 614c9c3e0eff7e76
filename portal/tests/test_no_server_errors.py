"""A crawler: every URL of the site, as a patient, a clerk and a stranger, with bad input: never a 500.

The URL list is read from the URLconf, so a page added later is crawled without touching this
file. Each pattern is filled with real ids (own and another family's), random ids and junk;
each page is fetched with GET, with junk query strings, and POSTed empty and with junk in every
field its forms declare (very long values, NUL characters, impossible dates, lists, bad files).
Every query parameter the page links to (admin filters, wizard links) is sent again with a NUL
byte, an impossible date and a non-UUID; every page is POSTed, with a valid CSRF token, in a
body that declares another charset than UTF-8 (the CSRF check and the error pages read it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files import File
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from conftest import make_account
from families.models import AccountPatient, DocumentKind, Patient
from portal.lib.uploads import clean_upload

# Apps whose pages are crawled (their URL callbacks live in these modules). Django's own auth
# and i18n views are mounted by accounts and portal, so they are ours to keep 500-free too.
CRAWLED_MODULES = (
    "accounts.",
    "families.",
    "guarantors.",
    "portal.",
    "queueing.",
    "reports.",
    "cashier.",
    "visitday.",
    "django.contrib.auth.views.",
    "django.views.i18n.",
)
# Admin pages of our own models, crawled as the clerk (search boxes, filters, object ids).
ADMIN_MODELS = (
    "families/patient",
    "accounts/user",
    "guarantors/guarantortype",
    "guarantors/clinicdocumentrule",
    "queueing/booking",
    "queueing/clinic",
    "queueing/doctor",
    "queueing/schedule",
    "queueing/dayquota",
)

LONG = "9" * 20_000
JUNK = [
    "not-a-uuid",
    "2024-02-30",
    "-1",
    "99999999999999999999999999",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "😀" * 40,
    "' OR '1'='1",
    "1e309",
    "NaN",
    " ",
    "31/13/2020",
    "²³",
    "٠٨١٢٣٤٥٦٧٨٩٠",
    "0812\u200b3456",
]
QUERY_JUNK = {
    "q": "a\x00b",
    "page": "-1",
    "p": "x",
    "o": "zz",
    "date": "2024-13-45",
    "tanggal": "2026-02-30",
    "clinic": LONG[:300],
    "next": "//evil.example/",
    "e": "1",
    "status": "nope",
    "all": "",
    "birth_date__gte": "not-a-date",
    "anggota": "not-a-uuid",
    "dari": "\x00",
}
# Sent in every parameter a page links to, and in every field of its forms.
IMPOSSIBLE_DATES = ("2026-02-30", "2026-13-01")
PARAM_JUNK = ("\x00", *IMPOSSIBLE_DATES, "not-a-uuid")
# Declared charsets Django will not read a form in: a text codec and a bytes-to-bytes codec.
ODD_CHARSETS = (("application/x-www-form-urlencoded", "utf-16"), ("multipart/form-data; boundary=B0UND", "hex"))


# --- the URL list -------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name or ''}", entry.lookup_str


ADMIN_PAGES = ("admin/", "admin/login/", "admin/password_change/", "admin/autocomplete/")


def _is_admin_of_our_models(route: str) -> bool:
    return route in ADMIN_PAGES or any(route.startswith(f"admin/{model}/") for model in ADMIN_MODELS)


def crawled_routes() -> list[str]:
    routes = []
    for route, _name, lookup in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            if _is_admin_of_our_models(route):
                routes.append(route)
        elif lookup.startswith(CRAWLED_MODULES):
            routes.append(route)
    return routes


ROUTES = crawled_routes()
PERSONAS = ("patient", "clerk", "anonymous")

KNOWN_FAILURES: dict = {}  # none left; add strict xfail marks here only with a report


def crawl_cases() -> list:
    return [
        pytest.param(route, persona, marks=KNOWN_FAILURES.get((route, persona), ()), id=f"{route}-{persona}")
        for route in ROUTES
        for persona in PERSONAS
    ]


# --- the world: two families, a clerk, bookings, documents --------------------------------


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(data, format="PNG")
    data.seek(0)
    data.name = "ktp.png"
    return data


def _member(account, name: str, relationship: str, nik: str, mrn: str | None) -> Patient:
    patient = Patient.objects.create(
        full_name=name,
        nik=nik,
        sex="P",
        birth_place="Banyumas",
        birth_date=dt.date(1990, 5, 17),
        address_street="Jl. Merdeka 5",
        address_rt="001",
        address_rw="002",
        address_village="Sokaraja Kulon",
        address_district="Sokaraja",
        address_regency="Banyumas",
        address_province="Jawa Tengah",
        phone="+6281234567890",
        religion="islam",
        blood_type="A",
        marital_status="kawin",
        education="sma",
        occupation="irt",
        mother_name="Siti",
        mrn=mrn,
    )
    AccountPatient.objects.create(
        account=account, patient=patient, relationship=relationship, verified_at=timezone.now()
    )
    return patient


def _booking(account, patient: Patient, schedule, date: dt.date):
    from guarantors.models import GuarantorType
    from queueing import services as queueing_services

    return queueing_services.booking_create(
        account=account,
        patient_id=patient.pk,
        schedule_id=schedule.pk,
        date=date,
        guarantor_id=GuarantorType.objects.get(code="umum").pk,
        token=uuid.uuid4(),
    )


@pytest.fixture
def world(db, settings, tmp_path):
    from families import services as family_services
    from guarantors.catalogue import ensure_types
    from guarantors.models import GuarantorType
    from queueing.desk.services import clerk_group_ensure
    from queueing.models import BookingSettings, Clinic, Doctor, Schedule

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    ensure_types(GuarantorType)
    BookingSettings.load()
    sari = make_account("sari@example.com", "Sari Wulandari")
    joko = make_account("joko@example.com", "Joko Prasetyo", sex="L")
    clerk = make_account("clerk@rsud.example", "Dewi Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    own = _member(sari, "Sari Wulandari", "self", "3302015705900001", "00012345")
    child = _member(sari, "Bima Wulandari", "child", "3302011702160002", None)
    stranger = _member(joko, "Joko Prasetyo", "self", "3302011701800003", "00012399")
    own_doc = family_services.document_store(
        actor=sari, patient=own, kind=DocumentKind.KTP, upload=clean_upload(File(_png(), name="ktp.png"))
    )
    other_doc = family_services.document_store(
        actor=joko, patient=stranger, kind=DocumentKind.KTP, upload=clean_upload(File(_png(), name="ktp.png"))
    )
    clinic = Clinic.objects.create(code="GIGI", name="Poli Gigi", prefix="GIGI", bpjs_code="GIG")
    doctor = Doctor.objects.create(name="drg. Rina")
    schedules = [
        Schedule.objects.create(
            doctor=doctor,
            clinic=clinic,
            weekday=day,
            start_time=dt.time(8),
            end_time=dt.time(12),
            total_quota=20,
            online_quota=10,
            minutes_per_patient=15,
        )
        for day in range(7)
    ]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in schedules if s.weekday == tomorrow.weekday())
    own_booking = _booking(sari, own, schedule, tomorrow)
    other_booking = _booking(joko, stranger, schedule, tomorrow)
    return {
        "users": {"patient": sari, "clerk": clerk, "anonymous": None},
        "patient_id": [own.pk, child.pk, stranger.pk, uuid.uuid4()],
        "document_id": [own_doc.pk, other_doc.pk, uuid.uuid4()],
        "code": [own_booking.code, other_booking.code, "ZZZZZZZZ"],
        "object_id": [own.pk, sari.pk, other_booking.pk, GuarantorType.objects.first().pk, "not-a-uuid", "0"],
        "id": [sari.pk, "0", "x"],
        "sari": sari,
    }


# --- filling in a route -------------------------------------------------------------------

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _values_for(name: str, converter: str | None, world: dict, client: Client) -> list[str]:
    if name == "code" and converter == "slug":  # a guarantor type, not a booking
        return ["umum", "bpjs-kesehatan", "nope", "a" * 500]
    if name in world:
        return [str(v) for v in world[name]]
    if converter == "wid":
        return [_wizard_id(client), "0" * 32]
    if name == "token" and converter == "str":  # e-mail confirmation token
        from accounts.services import confirmation_token

        return [confirmation_token(world["sari"]), "junk", "x" * 5000]
    if name == "uidb64":
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        return [urlsafe_base64_encode(force_bytes(world["sari"].pk)), "!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"]
    if name == "token":
        return ["set-password", "abc-def", "x" * 3000]
    if name == "action":
        return ["verify", "nope"]
    return ["x", "1"]


def _wizard_id(client: Client) -> str:
    response = client.get(reverse("queueing:booking_start"))
    match = re.search(r"/ambil/([0-9a-f]{32})/", response.get("Location", "") or "")
    return match.group(1) if match else "f" * 32


def urls_for(route: str, world: dict, client: Client) -> list[str]:
    """Real and junk values for each parameter, plus the raw pattern with junk in every slot."""
    params = [(m.group("converter"), m.group("name") or m.group("rname")) for m in PARAM.finditer(route)]
    skeleton = PARAM.sub("\0", route).replace("^", "").replace("$", "")
    urls = []
    if params:
        options = [_values_for(name, conv, world, client) for conv, name in params]
        width = max(len(o) for o in options)
        for i in range(width):
            parts = iter(quote(o[i % len(o)], safe="") for o in options)
            urls.append("/" + re.sub("\0", lambda _m: next(parts), skeleton))  # noqa: B023 (called within this iteration)
        for junk in ("not-a-uuid", "%00", "..%2F..%2F", "9" * 300):
            urls.append("/" + skeleton.replace("\0", junk))
    else:
        urls.append("/" + skeleton)
    return urls


# --- forms on a page ------------------------------------------------------------------------


class FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.files: set[str] = set()
        self.link_params: set[str] = set()  # query parameter names in the page's links

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in ("input", "select", "textarea") and name and name != "csrfmiddlewaretoken":
            (self.files if attrs.get("type") == "file" else self.names).add(name)
        if tag == "a" and "?" in (attrs.get("href") or ""):
            self.link_params.update(parse_qs(urlsplit(attrs["href"]).query, keep_blank_values=True))


def fields_on(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    return parser


def junk_posts(fields: FormFields) -> list[tuple[str, dict]]:
    names = sorted(fields.names) or ["x"]
    posts = [
        ("empty", {}),
        ("long", {n: LONG for n in names}),
        ("nul", {n: "12\x0034" for n in names}),
        ("lists", {n: ["a", "b"] for n in names}),
    ]
    posts.append(("dates", {n: IMPOSSIBLE_DATES[i % 2] for i, n in enumerate(names)}))
    for shift in range(3):
        posts.append((f"junk{shift}", {n: JUNK[(i + shift * 4) % len(JUNK)] for i, n in enumerate(names)}))
    for label, content, filename in (
        ("text-as-jpg", b"hello, not an image", "ktp.jpg"),
        ("empty-file", b"", "a.pdf"),
        ("png-as-pdf", _png().getvalue(), "x.pdf"),
    ):
        if fields.files:
            data = {n: JUNK[i % len(JUNK)] for i, n in enumerate(names)}
            for name in fields.files:
                upload = io.BytesIO(content)
                upload.name = filename
                data[name] = upload
            posts.append((label, data))
    return posts


# --- the crawl ------------------------------------------------------------------------------


def _client(persona: str, world: dict, *, enforce_csrf: bool = False) -> Client:
    client = Client(raise_request_exception=False, enforce_csrf_checks=enforce_csrf)
    user = world["users"][persona]
    if user is not None:
        client.force_login(user)
    return client


def _record(failures: list, method: str, url: str, variant: str, response) -> None:
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        reason = f"{exc[0].__name__}: {str(exc[1])[:160]}" if exc else response.content[:160]
        failures.append(f"{method} {url[:120]} [{variant}] -> {response.status_code} {reason}")


def _html(response) -> str:
    if response.streaming:
        b"".join(response.streaming_content)  # a served document: read it (the client then closes it)
        return ""
    is_page = response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")
    return response.content.decode(errors="replace") if is_page else ""


def odd_charset_posts(url: str, persona: str, world: dict, fields: FormFields):
    """The page's form in a body that declares another charset, with a valid CSRF token (without
    one the CSRF check refuses before reading the body, and the error pages are never reached)."""
    client = _client(persona, world, enforce_csrf=True)
    client.get(reverse("login"))  # a page with a form: sets the CSRF cookie
    cookie = client.cookies.get(settings.CSRF_COOKIE_NAME)
    data = {"csrfmiddlewaretoken": cookie.value if cookie else "", **{n: "x" for n in sorted(fields.names)}}
    for content_type, charset in ODD_CHARSETS:
        if content_type.startswith("multipart"):
            body = (
                "".join(
                    f'--B0UND\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                    for name, value in data.items()
                )
                + "--B0UND--\r\n"
            )
        else:
            body = urlencode(data)
        yield charset, client.generic("POST", url, body.encode(), content_type=f"{content_type}; charset={charset}")


def crawl(route: str, persona: str, world: dict) -> list[str]:
    failures: list[str] = []
    for url in urls_for(route, world, _client(persona, world)):
        client = _client(persona, world)  # fresh each URL: a logout or removal must not hide later pages
        response = client.get(url)
        _record(failures, "GET", url, "plain", response)
        html = _html(response)
        fields = fields_on(html)
        # One bad parameter at a time as well: the first refusal must not hide the next one.
        queries = [QUERY_JUNK, {n: "a\x00b" for n in fields.names}, {"q": "a\x00b"}, {"q": LONG}]
        queries += [{n: IMPOSSIBLE_DATES[i % 2] for i, n in enumerate(sorted(fields.names))}] if fields.names else []
        queries += [{name: value} for name, value in QUERY_JUNK.items() if name != "q"]
        # Each linked parameter once, the junk kinds taking turns (keeps the crawl's time reasonable).
        links = sorted(fields.link_params)
        queries += [{name: PARAM_JUNK[i % len(PARAM_JUNK)]} for i, name in enumerate(links)]
        for query in queries:
            _record(failures, "GET", url, f"query {sorted(query)[:3]}", client.get(url, query))
        for variant, data in junk_posts(fields):
            _record(failures, "POST", url, variant, _client(persona, world).post(url, data))
        if fields.names:  # a page with a form: the one a browser (or an attacker) posts to
            for charset, response in odd_charset_posts(url, persona, world, fields):
                _record(failures, "POST", url, f"charset={charset}", response)
    return failures


@pytest.mark.parametrize("route, persona", crawl_cases())
def test_no_page_answers_a_server_error_to_bad_input(route, persona, world):
    failures = crawl(route, persona, world)

    assert not failures, "\n".join(failures)


def test_the_crawl_covers_every_app_and_the_admin_of_our_models():
    joined = " ".join(ROUTES)

    for prefix in (
        "akun/",
        "keluarga/",
        "penjamin/",
        "antrian/",
        "beranda/",
        "laporan/",
        "healthz",
        "admin/families/patient/",
    ):
        assert prefix in joined
    assert len(ROUTES) > 40
