from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_role_permissions(apps, schema_editor):
    """Give the roles the permissions added to reviews/roles.py since 0001 (thresholds)."""
    from reviews import roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in (
        (roles.MERCHANDISERS, roles.MERCHANDISER_PERMISSIONS),
        (roles.CATALOG_ADMINS, roles.CATALOG_ADMIN_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_initial"),
        ("alignment", "0002_skuembedding_categorythreshold"),
    ]

    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
