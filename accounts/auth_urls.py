"""Django's auth views under our own templates; names stay Django's so its e-mails work."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("lupa-password/", views.PasswordResetView.as_view(), name="password_reset"),
    path("lupa-password/terkirim/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/selesai/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("ubah-password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("ubah-password/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
