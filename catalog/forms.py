from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

EXTENSIONS = (".csv", ".tsv", ".txt")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Catalog file",
        help_text=(
            "CSV with a header row: source, sku_code and title are required; language, "
            "description, brand, category, attributes (JSON object) and product_ref are optional. "
            "UTF-8 or GB18030; comma, semicolon or tab separated."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("Upload a CSV file (.csv, .tsv or .txt).")
        if not upload.size:
            raise forms.ValidationError("The file is empty.")
        limit = settings.CATALOG_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. "
                "Split it into smaller files and import them one after the other."
            )
        return upload
