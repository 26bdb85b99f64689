from __future__ import annotations

from django.urls import path

from reviews.views import home  # placeholder until the alignment pages land

app_name = "alignment"

urlpatterns = [
    path("playground/", home, name="playground"),
    path("instructions/", home, name="templates"),
]
