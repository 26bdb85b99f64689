from __future__ import annotations

import threading
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings, skipUnlessDBFeature
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alignment.models import Match
from catalog.models import SKU
from reviews import decisions, queue, roles
from reviews.models import Decision
from tests.reviews.base import ReviewTestCase

ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"


class ClaimNextTestCase(ReviewTestCase):
    def test_it_never_gives_two_reviewers_the_same_pair(self):
        first = queue.claim_next(self.bob)
        second = queue.claim_next(self.alice)
        assert first.pk == self.same.pk
        assert second.pk == self.differ.pk

    def test_it_gives_the_reviewer_back_their_own_claim(self):
        first = queue.claim_next(self.bob)
        assert queue.claim_next(self.bob).pk == first.pk

    @override_settings(REVIEWS_CLAIM_SECONDS=60)
    def test_it_leases_for_the_configured_time(self):
        match = queue.claim_next(self.bob)
        remaining = (match.claimed_until - timezone.now()).total_seconds()
        assert 55 < remaining <= 60

    def test_it_hands_out_a_pair_whose_lease_ran_out(self):
        queue.claim_next(self.alice)
        Match.objects.filter(claimed_by=self.alice).update(claimed_until=timezone.now() - timedelta(seconds=1))
        assert queue.claim_next(self.bob).pk == self.same.pk

    def test_it_releases_the_previous_pair_when_moving_on(self):
        first = queue.claim_next(self.bob)
        second = queue.claim_next(self.bob, after=first)
        assert second.pk == self.differ.pk
        first.refresh_from_db()
        assert first.claimed_by is None

    def test_it_releases_an_expired_claim_when_handing_out_the_next_pair(self):
        queue.claim(self.bank, self.bob)
        Match.objects.filter(pk=self.bank.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
        assert queue.claim_next(self.bob).pk == self.same.pk
        self.bank.refresh_from_db()
        assert self.bank.claimed_by is None

    @skipUnlessDBFeature("has_select_for_update")
    def test_it_looks_for_a_held_pair_only_when_the_reviewer_holds_one(self):
        with CaptureQueriesContext(connection) as queries:
            assert queue.claim_next(self.bob).pk == self.same.pk
        # The pair handed out is the only row read FOR UPDATE: no query for a held
        # claim, none releasing others.
        assert sum("FOR UPDATE" in q["sql"] for q in queries.captured_queries) == 1
        with CaptureQueriesContext(connection) as queries:
            assert queue.claim_next(self.bob).pk == self.same.pk
        assert sum("FOR UPDATE" in q["sql"] for q in queries.captured_queries) == 1

    def test_it_moves_down_and_up_the_queue(self):
        assert queue.claim_next(self.bob, after=self.same).pk == self.differ.pk
        assert queue.claim_next(self.bob, after=self.differ).pk == self.bank.pk
        assert queue.claim_next(self.bob, after=self.bank) is None
        assert queue.claim_next(self.bob, before=self.bank).pk == self.differ.pk

    def test_it_respects_the_filters(self):
        filters = queue.Filters(languages=("de", "en"))
        assert queue.claim_next(self.bob, filters=filters).pk == self.bank.pk

    def test_it_returns_none_when_the_queue_is_empty(self):
        for match in (self.same, self.differ, self.bank):
            decisions.record_decision(match.pk, by=self.bob, action="reject")
        assert queue.claim_next(self.bob) is None

    def test_it_puts_pairs_that_settle_more_first_after_a_merge(self):
        # Confirming en~zh makes the remaining kettle pair bigger: 3 SKUs behind it now.
        decisions.record_decision(self.same.pk, by=self.bob, action="confirm")
        self.differ.refresh_from_db()
        assert self.differ.review_impact == 3


@override_settings(REVIEWS_CLAIM_SECONDS=300)
@skipUnlessDBFeature("has_select_for_update_skip_locked")  # SQLite has one writer and no row locks
class ConcurrentClaimTestCase(TransactionTestCase):
    """Real concurrency on PostgreSQL: each thread has its own connection."""

    def setUp(self) -> None:
        self.users = [User.objects.create_user(f"r{i}", password="x") for i in range(6)]
        group = Group.objects.get_or_create(name=roles.MERCHANDISERS)[0]
        for user in self.users:
            user.groups.add(group)
        self.matches = []
        for i in range(10):
            a = SKU.objects.create(source="s", sku_code=f"a{i}", language="en", title=f"Kettle {i}")
            b = SKU.objects.create(source="t", sku_code=f"b{i}", language="de", title=f"Kocher {i}")
            self.matches.append(
                Match.objects.create(sku_a=a, sku_b=b, probability=0.8, raw_score=0.8, scorer="lexical",
                                     status="pending", hash_a=a.content_hash, hash_b=b.content_hash)
            )

    def run_threads(self, work) -> list:
        barrier = threading.Barrier(len(self.users))
        results: list = [None] * len(self.users)

        def target(index: int) -> None:
            try:
                barrier.wait()
                results[index] = work(self.users[index])
            except Exception as error:  # reported by the assertions below
                results[index] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=target, args=(i,)) for i in range(len(self.users))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def test_it_gives_simultaneous_reviewers_distinct_pairs(self):
        claimed = self.run_threads(lambda user: queue.claim_next(user).pk)
        assert all(isinstance(pk, int) for pk in claimed), claimed
        assert len(set(claimed)) == len(self.users)

    def test_it_records_exactly_one_of_simultaneous_decisions(self):
        target = self.matches[0]

        def decide(user):
            try:
                return decisions.record_decision(target.pk, by=user, action="confirm").pk
            except decisions.DecisionError as error:
                return str(error)

        results = self.run_threads(decide)
        assert sum(isinstance(r, int) for r in results) == 1, results
        assert all("already confirmed this pair" in r for r in results if isinstance(r, str)), results
        assert Decision.objects.filter(match=target).count() == 1

    def test_it_commits_claims_without_a_flush_and_decisions_with_one(self):
        user = self.users[0]
        with CaptureQueriesContext(connection) as claiming:
            match = queue.claim_next(user)
        assert ASYNC_COMMIT in [query["sql"] for query in claiming.captured_queries]
        with CaptureQueriesContext(connection) as deciding:
            decisions.record_decision(match.pk, by=user, action="confirm")
        statements = [query["sql"] for query in deciding.captured_queries]
        recorded = next(i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "reviews_decision"'))
        # Only the impact refresh, in its own transaction after the decision's, skips the flush.
        assert ASYNC_COMMIT not in statements[:recorded]
        assert ASYNC_COMMIT in statements[recorded:]

    def test_it_leaves_a_callers_transaction_durable(self):
        with CaptureQueriesContext(connection) as claiming, transaction.atomic():
            queue.claim_next(self.users[0])
        assert ASYNC_COMMIT not in [query["sql"] for query in claiming.captured_queries]
