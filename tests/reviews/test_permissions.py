from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews import permissions, roles
from tests.reviews.base import ReviewTestCase

REVIEW = "alignment.review_match"


class CachedPermissionsTestCase(ReviewTestCase):
    url = reverse("reviews:queue")

    def setUp(self) -> None:
        super().setUp()
        self.merchandisers = Group.objects.get(name=roles.MERCHANDISERS)
        self.review = Permission.objects.get(content_type__app_label="alignment", codename="review_match")

    def status(self, user: User) -> int:
        self.login(user)
        return self.client.get(self.url).status_code

    def fresh(self, user: User) -> User:
        """The user as the next request loads it (nothing remembered on the object)."""
        return User.objects.get(pk=user.pk)

    def test_it_checks_a_request_s_permissions_without_a_query(self):
        assert self.status(self.bob) == 200  # the first request reads them
        with CaptureQueriesContext(connection) as queries:
            assert self.client.get(self.url).status_code == 200
        assert not [q["sql"] for q in queries if "auth_permission" in q["sql"]]

    def test_it_takes_a_role_away_at_once(self):
        assert self.status(self.bob) == 200
        self.bob.groups.remove(self.merchandisers)
        assert self.status(self.bob) == 403

    def test_it_takes_a_role_away_from_the_group_s_side_at_once(self):
        assert self.status(self.bob) == 200
        self.merchandisers.user_set.clear()
        assert self.status(self.bob) == 403

    def test_it_takes_a_permission_away_from_a_group_at_once(self):
        assert self.status(self.bob) == 200
        self.merchandisers.permissions.remove(self.review)
        assert self.status(self.bob) == 403

    def test_it_gives_a_role_at_once(self):
        assert self.status(self.charlie) == 403
        self.charlie.groups.add(self.merchandisers)
        assert self.status(self.charlie) == 200

    def test_it_gives_a_user_a_permission_at_once(self):
        assert self.status(self.charlie) == 403
        self.charlie.user_permissions.add(self.review)
        assert self.status(self.charlie) == 200

    def test_it_forgets_a_deleted_group_s_permissions(self):
        reviewers = Group.objects.create(name="Weekend reviewers")
        reviewers.permissions.add(self.review)
        self.charlie.groups.add(reviewers)
        assert self.status(self.charlie) == 200
        reviewers.delete()
        assert self.status(self.charlie) == 403

    def test_it_refuses_an_inactive_user_whatever_is_cached(self):
        assert self.fresh(self.bob).has_perm(REVIEW)
        User.objects.filter(pk=self.bob.pk).update(is_active=False)
        assert not self.fresh(self.bob).has_perm(REVIEW)

    def test_it_gives_a_new_superuser_every_permission(self):
        assert not self.fresh(self.charlie).has_perm("catalog.delete_sku")
        User.objects.filter(pk=self.charlie.pk).update(is_superuser=True)
        assert self.fresh(self.charlie).get_all_permissions() >= {"catalog.delete_sku", REVIEW}

    def test_it_reads_permissions_afresh_once_a_change_commits(self):
        with self.captureOnCommitCallbacks() as callbacks:
            self.bob.groups.remove(self.merchandisers)
            # Another process checked between the change and its commit, and cached what it saw then.
            stamp = (cache.get(permissions.GENERATION_KEY), False)
            cache.set(f"auth:permissions:user:{self.bob.pk}", (stamp, {REVIEW}))
        for callback in callbacks:
            callback()
        assert not self.fresh(self.bob).has_perm(REVIEW)

    def test_it_reads_permissions_afresh_after_migrations(self):
        # Migrations grant permissions through historical models, which send no m2m_changed.
        assert self.fresh(self.bob).has_perm(REVIEW)
        Group.permissions.through.objects.filter(group=self.merchandisers, permission=self.review).delete()
        call_command("migrate", verbosity=0)
        assert not self.fresh(self.bob).has_perm(REVIEW)
