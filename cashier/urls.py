from django.urls import path

from cashier import views

app_name = "cashier"

urlpatterns = [
    path("", views.home, name="home"),
    path("kunjungan/<str:code>/", views.visit, name="visit"),
    path("kunjungan/<str:code>/bayar/", views.pay, name="pay"),
    path("kunjungan/<str:code>/bebaskan/", views.waive, name="waive"),
    path("kwitansi/<int:pk>/", views.receipt, name="receipt"),
    path("kwitansi/<int:pk>/batal/", views.void, name="void"),
    path("rekap/", views.recap, name="recap"),
]
