from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path("daftar/terkirim/", views.signup_done, name="signup_done"),
    path("profil/", views.profile, name="profile"),
    path("konfirmasi-email/kirim-ulang/", views.resend_confirmation, name="resend_confirmation"),
    path("konfirmasi-email/<str:token>/", views.confirm_email, name="confirm_email"),
]
