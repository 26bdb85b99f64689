"""The two roles: merchandisers review pairs; catalog admins also edit templates,
thresholds and imports. Each role is a Django group with model permissions."""

from __future__ import annotations

from typing import Any

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


def grant_role_permissions(apps: Any, schema_editor: Any) -> None:
    """Create the two groups and give them the permissions listed above.

    Run from migrations (with the historical ``apps``): permissions are normally
    created after all migrations, and the groups need them now. A permission whose
    model does not exist yet at that point in the migration graph is skipped; a
    later migration that runs this again grants it.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in (
        (MERCHANDISERS, MERCHANDISER_PERMISSIONS),
        (CATALOG_ADMINS, CATALOG_ADMIN_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
