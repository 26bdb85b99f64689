from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alignment.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for (default: 'cli').")

    def handle(self, *args: Any, **options: Any) -> str:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {options['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"User {options['username']!r} is inactive: its tokens would not work")
        token, key = ApiToken.issue(user, name=options["name"] or "cli")
        self.stderr.write(f"Token {token.prefix}… created for {user}. Store the key now: it is not shown again.")
        return key
