from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from alignment.models import AlignmentState, ApiToken, Calibration, InstructionTemplate, Match


@admin.register(Calibration)
class CalibrationAdmin(admin.ModelAdmin):
    list_display = (
        "scorer",
        "language_pair_display",
        "method",
        "label_count",
        "positives",
        "ece",
        "log_loss",
        "fitted_at",
        "is_active",
    )
    list_filter = ("is_active", "scorer", "method", "language_pair")
    search_fields = ("scorer", "model_revision", "language_pair")
    date_hierarchy = "fitted_at"
    readonly_fields = [f.name for f in Calibration._meta.fields]

    @admin.display(description="language pair", ordering="language_pair")
    def language_pair_display(self, obj: Calibration) -> str:
        return obj.language_pair or "all pairs"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Calibration]:
        # Fits are written by `manage.py calibrate`; the admin shows them, active first.
        return super().get_queryset(request).order_by("-is_active", "scorer", "language_pair", "-fitted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "sku_a", "sku_b", "probability", "raw_score", "scorer", "status", "decided_at", "updated_at")
    list_filter = ("status", "scorer", "is_audit_sample")
    search_fields = ("sku_a__title", "sku_b__title", "sku_a__sku_code", "sku_b__sku_code")
    raw_id_fields = ("sku_a", "sku_b", "instruction", "claimed_by")
    list_select_related = ("sku_a", "sku_b")
    readonly_fields = ("created_at", "updated_at")


@admin.register(InstructionTemplate)
class InstructionTemplateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category", "version", "is_published", "created_by", "created_at", "published_at")
    list_filter = ("is_published",)
    search_fields = ("text", "category__path")
    raw_id_fields = ("category", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: InstructionTemplate | None = None) -> tuple[str, ...]:
        # A saved version is history (matches name it): edits make a new version in the editor.
        if obj is None:
            return ()
        return ("category", "version", "text", "created_by", "created_at", "published_at")


@admin.register(AlignmentState)
class AlignmentStateAdmin(admin.ModelAdmin):
    list_display = ("sku", "status", "attempts", "aligned_hash", "updated_at")
    list_filter = ("status",)
    search_fields = ("sku__title", "sku__sku_code", "error")
    raw_id_fields = ("sku",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued here (the key is shown once, in a message) and revoked, never edited."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "prefix", "created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = ApiToken.issue(obj.user, name=obj.name)
        obj.pk = token.pk
        obj.prefix, obj.key_hash, obj.created_at = token.prefix, token.key_hash, token.created_at
        messages.warning(
            request,
            f"API key for {token.name}: {key} — copy it now, it is not stored and will not be shown again. "
            "Send it as 'Authorization: Token <key>'.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"Revoked {count} tokens.")
