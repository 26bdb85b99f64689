"""The two roles: merchandisers review pairs; catalog admins also edit templates,
thresholds and imports. Each role is a Django group with model permissions."""

from __future__ import annotations

MERCHANDISERS = "Merchandisers"
CATALOG_ADMINS = "Catalog admins"

# (app_label, codename) per role. Admins get everything merchandisers get.
MERCHANDISER_PERMISSIONS = [
    ("alignment", "review_match"),
    ("alignment", "view_match"),
    ("catalog", "view_sku"),
    ("catalog", "view_product"),
    ("catalog", "view_category"),
]
CATALOG_ADMIN_PERMISSIONS = MERCHANDISER_PERMISSIONS + [
    (app, f"{action}_{model}")
    for app, models in {
        "catalog": ["sku", "product", "category", "productevent"],
        "alignment": ["instructiontemplate", "match", "alignmentstate", "categorythreshold"],
    }.items()
    for model in models
    for action in ("add", "change", "view")
] + [("catalog", "delete_category")]
