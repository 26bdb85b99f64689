from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.home, name="home"),
    # Placeholders until the review queue lands (issue: review queue).
    path("reviews/", views.home, name="queue"),
    path("reviews/dashboard/", views.home, name="dashboard"),
]
