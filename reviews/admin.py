from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reviews.models import Decision


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody adds, edits or deletes decisions here."""

    list_display = ("created_at", "reviewer", "action", "match", "probability", "blind", "status_before", "status_after")
    list_filter = ("action", "blind", "created_at")
    search_fields = ("reviewer__username", "note", "match__pk")
    raw_id_fields = ("match", "product_event", "undoes")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
