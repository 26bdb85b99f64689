from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from catalog import importjobs, tasks
from catalog.forms import ImportUploadForm
from catalog.models import SKU, ImportJob, Product, ProductEvent


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@login_required
@permission_required("catalog.view_product", raise_exception=True)
def product(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Product, pk=pk)
    live = found.resolve()
    if live.pk != found.pk:
        return redirect(live)
    events = list(
        ProductEvent.objects.filter(Q(product=live) | Q(other_product=live))
        .select_related("actor")
    )
    moved_ids = {pk for event in events for pk in event.sku_ids}
    codes = dict(
        (sku.pk, f"{sku.source}/{sku.sku_code}")
        for sku in SKU.objects.filter(pk__in=moved_ids).only("source", "sku_code")
    )
    history = [
        (event, [codes.get(sku_id, f"SKU {sku_id} (deleted)") for sku_id in event.sku_ids])
        for event in events
    ]
    context = {
        "product": live,
        "columns": live.skus_by_language(),
        "history": history,
        "absorbed": live.absorbed.order_by("pk"),
    }
    return render(request, "catalog/product.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("catalog.add_sku", raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            file=upload, original_name=upload.name[:255], bytes_total=upload.size,
            created_by=request.user,
        )
        # The check runs first; the real import waits for confirmation.
        tasks.import_catalog.delay_on_commit(job.pk)
        return redirect(job)
    jobs = ImportJob.objects.select_related("created_by")[:20]
    return render(request, "catalog/import.html", {"form": form, "jobs": jobs})


@login_required
@permission_required("catalog.add_sku", raise_exception=True)
@vary_on_headers("HX-Request")
def import_job(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    template = "catalog/import_job.html"
    if request.htmx:
        template += "#status"
    return render(request, template, {"job": job})


@require_POST
@login_required
@permission_required("catalog.add_sku", raise_exception=True)
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if importjobs.confirm_job(job):
        tasks.import_catalog.delay_on_commit(job.pk)
        messages.success(request, f"Importing {job.original_name}.")
    else:
        job.refresh_from_db()
        if job.files_purged_at is not None:
            messages.error(
                request,
                f"This file was deleted {job.files_kept_days} days after its check; upload it again to import it.",
            )
        else:
            messages.error(
                request,
                f"This file is not waiting for confirmation (it is {job.get_status_display().lower()}).",
            )
    return redirect(job)


@login_required
@permission_required("catalog.add_sku", raise_exception=True)
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.files_purged_at is not None:
        raise Http404(f"This import's files were deleted {job.files_kept_days} days after it finished.")
    if not job.errors_file:
        raise Http404("This import has no invalid rows.")
    filename = f"{Path(job.original_name).stem or 'catalog'}-errors.csv"
    return FileResponse(
        job.errors_file.open("rb"), as_attachment=True, filename=filename,
        content_type="text/csv; charset=utf-8",
    )
