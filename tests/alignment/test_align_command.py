from __future__ import annotations

from io import StringIO
from unittest.mock import patch

from django.core.management import CommandError, call_command

from alignment import pipeline, retrieval, tasks
from alignment.models import AlignmentState, Match
from catalog.models import SKU, Category
from tests.base import BaseTestCase

KETTLE_EN = "Electric kettle KT-200 1.7 L 2200 W"
KETTLE_DE = "Wasserkocher KT-200 1,7 L 2200 W"
SCALE_FR = "Balance de cuisine SC-50 5 kg"


class AlignCommandTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        retrieval.reset_index()
        self.kitchen = Category.get_or_create_path("Home > Kitchen")
        self.garden = Category.get_or_create_path("Garden")
        self.en = self.make("1", "en", KETTLE_EN, self.kitchen)
        self.de = self.make("2", "de", KETTLE_DE, self.kitchen)
        self.fr = self.make("3", "fr", SCALE_FR, self.garden)

    def make(self, code, language, title, category):
        return SKU.objects.create(source="shop", sku_code=code, language=language, title=title, category=category)

    def run_command(self, *args):
        out, err = StringIO(), StringIO()
        call_command("align", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_aligns_everything_with_a_progress_bar_and_summary(self):
        out, err = self.run_command("--all", "--scorer", "lexical")
        assert "3 SKUs aligned" in out
        assert "pairs scored" in out
        assert "embedding" in out and "retrieval" in out
        assert "3/3 (100%" in err
        match = Match.objects.get()
        assert {match.sku_a_id, match.sku_b_id} == {self.en.pk, self.de.pk}  # not across trees
        assert set(AlignmentState.objects.values_list("status", flat=True)) == {"done"}

    def test_it_aligns_chosen_skus(self):
        out, _ = self.run_command("--sku", str(self.fr.pk))
        assert "1 SKUs aligned" in out
        assert list(AlignmentState.objects.values_list("sku_id", flat=True)) == [self.fr.pk]

    def test_it_aligns_a_category_tree(self):
        home = Category.objects.get(path="Home")
        out, _ = self.run_command("--category", str(home.pk))
        assert "2 SKUs aligned" in out
        assert set(AlignmentState.objects.values_list("sku_id", flat=True)) == {self.en.pk, self.de.pk}

    def test_it_rejects_unknown_ids(self):
        with self.assertRaisesMessage(CommandError, "No SKU with id 999999"):
            self.run_command("--sku", str(self.en.pk), "999999")
        with self.assertRaisesMessage(CommandError, "No category with id 999999"):
            self.run_command("--category", "999999")
        with self.assertRaisesMessage(CommandError, "Unknown scorer 'nope'"):
            self.run_command("--all", "--scorer", "nope")
        assert not AlignmentState.objects.exists()

    def test_it_needs_exactly_one_mode(self):
        with self.assertRaises(CommandError):
            self.run_command()
        with self.assertRaises(CommandError):
            self.run_command("--all", "--pending")

    def test_it_enqueues_overdue_skus(self):
        pipeline.align_skus([self.en.pk])
        AlignmentState.objects.create(sku=self.de, status=AlignmentState.Status.PENDING)
        with patch.object(tasks.align_skus, "delay", autospec=True) as delay:
            with self.captureOnCommitCallbacks(execute=True):
                out, _ = self.run_command("--pending", "--grace", "0")
        assert out.strip() == "2 SKUs enqueued for alignment"
        sent = [item for call in delay.call_args_list for item in call.args[0]]
        assert sorted(sent) == sorted([[self.de.pk, self.de.content_hash], [self.fr.pk, self.fr.content_hash]])
