from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("pemberitahuan/", views.channels, name="channels"),
]
