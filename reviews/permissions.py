"""Permission checks without two queries a request.

Django's ModelBackend reads a user's permissions afresh on every request that checks
one: one query for the user's own, one for their groups'. CachedModelBackend keeps
each user's set in the cache (shared by all processes where Redis is configured),
stamped with a generation that every change to who holds which permission moves on:
a change made through Django applies from the next check, in every process.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

GENERATION_KEY = "auth:permissions:generation"

User = get_user_model()


class CachedModelBackend(ModelBackend):
    """ModelBackend, with each user's permissions kept in the cache between requests.

    Every check is ModelBackend's: inactive users hold no permission, superusers all,
    others what they and their groups were granted. Changes made behind Django's back
    (raw SQL, bulk writes to the link tables) apply within REVIEWS_PERMISSIONS_CACHE_SECONDS.
    """

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = f"auth:permissions:user:{user_obj.pk}"
            # The generation is read before the permissions: a change that commits
            # between the two moves it on, and what was read then is not used again.
            stored = cache.get_many([GENERATION_KEY, key])
            generation = stored.get(GENERATION_KEY)
            stamp = (generation, user_obj.is_superuser)
            entry = stored.get(key)
            if generation is not None and entry is not None and entry[0] == stamp:
                user_obj._perm_cache = entry[1]
            else:
                user_obj._perm_cache = super().get_all_permissions(user_obj)
                if generation is None:  # an empty cache: start a generation, cache from the next check
                    cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
                else:
                    cache.set(key, (stamp, user_obj._perm_cache), settings.REVIEWS_PERMISSIONS_CACHE_SECONDS)
        return user_obj._perm_cache


def permissions_changed(**kwargs: Any) -> None:
    """Move the generation on: every user's permissions are read afresh at their next check."""
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: the change is not made yet
    _new_generation()
    # Again once the change commits: a check in between may have cached the permissions
    # as they were before it.
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _account_created(*, created: bool, **kwargs: Any) -> None:
    # A new account may have a deleted one's id (SQLite reuses them after a rollback).
    if created:
        permissions_changed()


for link in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    # Either side's manager (bob.groups.add(g), g.user_set.add(bob)) sends it with this sender.
    m2m_changed.connect(permissions_changed, sender=link, dispatch_uid=f"reviews.permissions.{link.__name__}")
for model in (Group, Permission, ContentType):
    post_save.connect(permissions_changed, sender=model, dispatch_uid=f"reviews.permissions.save.{model.__name__}")
    post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"reviews.permissions.delete.{model.__name__}")
post_save.connect(_account_created, sender=User, dispatch_uid="reviews.permissions.account_created")
# Migrations grant permissions through historical models, which send none of the above.
post_migrate.connect(permissions_changed, dispatch_uid="reviews.permissions.migrated")
