"""python manage.py demo_setup: demo users, the sample catalog, aligned.

Run by `make demo` after migrate. Safe to run again: the import is idempotent and
the demo users get fresh passwords, printed at the end.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from reviews import roles

SAMPLE_CATALOG = Path(settings.BASE_DIR) / "data" / "sample_catalog.csv"
DEMO_USERS = (
    # (username, group, is_staff, what they do)
    ("admin", roles.CATALOG_ADMINS, True, "catalog admin: imports, instructions, thresholds"),
    ("merch", roles.MERCHANDISERS, False, "merchandiser: works the review queue"),
)


class Command(BaseCommand):
    help = "Create the demo users, import the sample catalog and align it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--catalog", default=str(SAMPLE_CATALOG))

    def handle(self, *args: Any, **options: Any) -> str:
        logins = [self._user(*spec) for spec in DEMO_USERS]
        self.stdout.write(f"Importing {options['catalog']} ...")
        # Without REDIS_URL, tasks run in-process: the import's sku_changed
        # announcement aligns the new SKUs before the command returns. The
        # product_ref column stays a label (the ground truth the dashboard and
        # `calibrate` use), so alignment itself has to find the products.
        call_command(
            "import_catalog", options["catalog"], "--no-group", stdout=self.stdout, stderr=self.stderr
        )
        self.stdout.write("Aligning anything still pending ...")
        call_command("align", "--pending", "--grace", "0", stdout=self.stdout, stderr=self.stderr)
        call_command("audit_sample", stdout=self.stdout, stderr=self.stderr)
        lines = ["", "Demo ready at http://127.0.0.1:8000/  (log in with one of these):"]
        lines += [f"  {username:6} / {password:14}  {about}" for username, password, about in logins]
        return "\n".join(lines)

    def _user(self, username: str, group: str, is_staff: bool, about: str) -> tuple[str, str, str]:
        password = secrets.token_urlsafe(9)
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = is_staff
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=group))
        return username, password, about
