from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/", views.queue_page, name="queue"),
    path("reviews/next/", views.next_pair, name="next"),
    path("reviews/pairs/<int:pk>/", views.pair, name="pair"),
    path("reviews/pairs/<int:pk>/decide/", views.decide, name="decide"),
    path("reviews/undo/", views.undo, name="undo"),
    path("reviews/products/<int:pk>/history/", views.product_history, name="history"),
    path("reviews/dashboard/", views.dashboard, name="dashboard"),
]
