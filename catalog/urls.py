from __future__ import annotations

from django.urls import path

from reviews.views import home  # placeholder until the import page lands

app_name = "catalog"

urlpatterns = [
    path("imports/", home, name="import"),
]
