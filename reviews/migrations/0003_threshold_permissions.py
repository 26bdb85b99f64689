from __future__ import annotations

from django.db import migrations

from reviews.roles import grant_role_permissions


class Migration(migrations.Migration):
    """Give the roles the permissions added to reviews/roles.py since 0001 (thresholds)."""

    dependencies = [
        ("reviews", "0002_initial"),
        ("alignment", "0002_skuembedding_categorythreshold"),
    ]

    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
