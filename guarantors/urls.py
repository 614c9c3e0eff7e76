from django.urls import path

from guarantors import views

app_name = "guarantors"

urlpatterns = [
    path("", views.guarantor_list, name="guarantor_list"),
    path("<slug:code>/dokumen/", views.guarantor_documents, name="guarantor_documents"),
]
