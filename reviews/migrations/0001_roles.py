from __future__ import annotations

from django.db import migrations

from reviews.roles import grant_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0001_initial"),
        ("alignment", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
