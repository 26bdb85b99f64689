from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from catalog.models import SKU, Category, ImportJob, Product, ProductEvent
from catalog.signals import announce_on_commit


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["path", "sku_count"]
    search_fields = ["name", "path"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(sku_count=Count("skus"))

    @admin.display(description="SKUs", ordering="sku_count")
    def sku_count(self, category: Category) -> int:
        return category.sku_count  # type: ignore[attr-defined]


class SKUInline(admin.TabularInline):
    model = SKU
    fields = ["language", "source", "sku_code", "title"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # SKUs move between products only through merges and splits, which keep a history.
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    change_form_template = "admin/catalog/product/change_form.html"
    list_display = ["pk", "title", "sku_count", "languages", "merged_into", "updated_at"]
    list_filter = [("merged_into", admin.EmptyFieldListFilter), "skus__language", "skus__source"]
    search_fields = ["=pk", "skus__title", "skus__sku_code", "skus__product_ref"]
    readonly_fields = ["merged_into", "created_at", "updated_at", "page"]
    inlines = [SKUInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return (
            super().get_queryset(request)
            .annotate(sku_count=Count("skus", distinct=True))
            .prefetch_related("skus")
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Product],
                           search_term: str) -> tuple[QuerySet[Product], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A product exists because an SKU describes it; SKUs create their products.
        return False

    @admin.display(description="title")
    def title(self, product: Product) -> str:
        return product.display_title()

    @admin.display(description="SKUs", ordering="sku_count")
    def sku_count(self, product: Product) -> int:
        return product.sku_count  # type: ignore[attr-defined]

    @admin.display(description="languages")
    def languages(self, product: Product) -> str:
        return " ".join(sorted({sku.language for sku in product.skus.all()}))

    @admin.display(description="product page")
    def page(self, product: Product) -> str:
        return format_html('<a href="{}">{}</a>', product.get_absolute_url(), product.get_absolute_url())

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        product = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if product is not None:
            extra_context["columns"] = product.skus_by_language()
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ["sku_code", "source", "language", "title", "brand", "category", "product_link", "updated_at"]
    list_filter = ["language", "source", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["sku_code", "title", "brand", "product_ref", "=product__pk"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
    readonly_fields = ["product_link", "content_hash", "created_at", "updated_at"]
    fields = [
        "source", "sku_code", "language", "title", "description", "brand", "attributes",
        "category", "product_ref", "product_link", "content_hash", "created_at", "updated_at",
    ]

    @admin.display(description="product", ordering="product")
    def product_link(self, sku: SKU) -> str:
        if sku.product_id is None:
            return "a new product, on save"
        url = reverse("admin:catalog_product_change", args=[sku.product_id])
        return format_html('<a href="{}">Product {}</a>', url, sku.product_id)

    def save_model(self, request: HttpRequest, obj: SKU, form: ModelForm, change: bool) -> None:
        before = SKU.objects.filter(pk=obj.pk).values_list("content_hash", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if obj.content_hash != before:
            announce_on_commit([obj.pk])


class AppendOnlyAdmin(admin.ModelAdmin):
    """For histories (append-only tables): rows can be looked at, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProductEvent)
class ProductEventAdmin(AppendOnlyAdmin):
    list_display = ["created_at", "kind", "product", "other_product", "via", "actor", "match_ref"]
    list_filter = ["kind", "via"]
    search_fields = ["=product__pk", "=other_product__pk", "reason"]
    list_select_related = ["actor"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "dry_run", "rows_total", "new_count", "updated_count",
                    "unchanged_count", "invalid_count", "created_by", "created_at", "page"]
    list_filter = ["status", ("files_purged_at", admin.EmptyFieldListFilter)]
    search_fields = ["original_name"]
    list_select_related = ["created_by"]
    # Media files are not served: the stored files show as names (the invalid rows
    # download through the import page), or as purged.
    exclude = ["file", "errors_file"]
    readonly_fields = ["stored_file", "stored_errors_file"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Uploading goes through the import page: check first, then confirm.
        return HttpResponseRedirect(reverse("catalog:import"))

    # Whoever may import SKUs may see the imports (the same rule as the import page).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.add_sku")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("catalog.add_sku") or super().has_view_permission(request, obj)

    @admin.display(description="")
    def page(self, job: ImportJob) -> str:
        return format_html('<a href="{}">open</a>', job.get_absolute_url())

    @admin.display(description="file")
    def stored_file(self, job: ImportJob) -> str:
        return _purged(job) or job.file.name

    @admin.display(description="invalid rows file")
    def stored_errors_file(self, job: ImportJob) -> str:
        if not job.errors_file:
            return _purged(job) or "–"
        url = reverse("catalog:import_errors", args=[job.pk])
        return format_html('<a href="{}">{}</a>', url, job.errors_file.name)


def _purged(job: ImportJob) -> str:
    if job.files_purged_at is None:
        return ""
    when = job.files_purged_at.date().isoformat()
    return f"removed after {job.files_kept_days} days ({when})"
