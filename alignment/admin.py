from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from alignment.models import AlignmentState, Calibration, InstructionTemplate, Match


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


@admin.register(AlignmentState)
class AlignmentStateAdmin(admin.ModelAdmin):
    list_display = ("sku", "status", "attempts", "aligned_hash", "updated_at")
    list_filter = ("status",)
    search_fields = ("sku__title", "sku__sku_code", "error")
    raw_id_fields = ("sku",)
