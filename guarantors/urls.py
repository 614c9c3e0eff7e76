from django.urls import path

app_name = "guarantors"

urlpatterns: list = []
