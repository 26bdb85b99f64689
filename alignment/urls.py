from __future__ import annotations

from django.urls import path

from alignment import api, views

app_name = "alignment"

urlpatterns = [
    path("playground/", views.playground, name="playground"),
    path("instructions/", views.templates, name="templates"),
    path("instructions/<slug:scope>/", views.template_detail, name="template_detail"),
    path("instructions/<slug:scope>/check/", views.template_check, name="template_check"),
    path("instructions/<slug:scope>/backtest/", views.template_backtest, name="template_backtest"),
    path(
        "instructions/<slug:scope>/versions/<int:version>/publish/",
        views.template_publish,
        name="template_publish",
    ),
    path("instructions/<slug:scope>/rescore/<int:run_id>/", views.rescore_progress, name="rescore_progress"),
    path("thresholds/<int:category_id>/", views.thresholds, name="thresholds"),
    path("thresholds/<int:category_id>/preview/", views.thresholds_preview, name="thresholds_preview"),
    path("exports/catalog.csv", views.export_catalog, name="export_catalog"),
    path("api/rerank", api.rerank, name="api_rerank"),
    path("api/products/<int:pk>", api.product, name="api_product"),
    path("api/skus/<path:key>/matches", api.sku_matches, name="api_sku_matches"),
    path("api/schema", api.schema, name="api_schema"),
]
