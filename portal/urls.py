from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from families import views as families_views
from portal import views

admin.site.site_header = "Antrean"
admin.site.site_title = "Antrean"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Pages that name no icon (the admin's) make browsers ask for /favicon.ico.
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("akun/", include("accounts.auth_urls")),
    path("akun/", include("accounts.urls")),
    path("akun/", include("portal.privacy.urls")),
    path("akun/", include("notifications.urls")),
    path("beranda/", families_views.dashboard, name="dashboard"),
    path("keluarga/", include("families.urls")),
    path("antrian/", include("queueing.urls")),
    path("poli/", include("visitday.nurse.urls")),  # calling at the clinic (nurses)
    path("layar/", include("visitday.display.urls")),  # the waiting-room display (TV)
    path("penjamin/", include("guarantors.urls")),
    path("wsrs/", include("queueing.jkn.urls")),  # Mobile JKN's WS RS (BPJS Antrean)
    path("laporan/", include("reports.urls")),
    path("kasir/", include("cashier.urls")),
    path("", include("visitday.urls")),  # /anjungan/ (kiosk), /panggilan/ (calling at the counter)
    path("admin/", admin.site.urls),
]
