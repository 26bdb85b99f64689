from __future__ import annotations

from django.contrib import admin

from catalog.admin import AppendOnlyAdmin
from reviews.models import Decision


@admin.register(Decision)
class DecisionAdmin(AppendOnlyAdmin):
    """The audit trail, read-only: nobody adds, edits or deletes decisions here."""

    list_display = ("created_at", "reviewer", "action", "match", "probability", "blind", "status_before", "status_after")
    list_filter = ("action", "blind", "created_at")
    search_fields = ("reviewer__username", "note", "match__pk")
    raw_id_fields = ("match", "product_event", "undoes")
    date_hierarchy = "created_at"
