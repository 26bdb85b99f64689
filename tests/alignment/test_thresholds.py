from __future__ import annotations

from django.db import IntegrityError
from django.test import TestCase, override_settings

from alignment.models import CategoryThreshold
from alignment.thresholds import thresholds_for
from catalog.models import Category


@override_settings(ALIGNMENT_AUTO_THRESHOLD=0.9, ALIGNMENT_REVIEW_THRESHOLD=0.7)
class ThresholdsForTestCase(TestCase):
    def setUp(self) -> None:
        self.kettles = Category.get_or_create_path("Home > Kitchen > Kettles")

    def test_it_uses_the_settings_without_an_override(self):
        assert thresholds_for(self.kettles) == (0.9, 0.7)
        assert thresholds_for(None) == (0.9, 0.7)

    def test_it_uses_the_nearest_override_up_the_tree(self):
        CategoryThreshold.objects.create(category=self.kettles.parent.parent, auto=0.95, review=0.6)
        assert thresholds_for(self.kettles) == (0.95, 0.6)
        CategoryThreshold.objects.create(category=self.kettles, auto=0.97, review=0.8)
        assert thresholds_for(self.kettles) == (0.97, 0.8)
        assert thresholds_for(self.kettles.parent) == (0.95, 0.6)

    def test_it_refuses_a_review_threshold_at_or_above_auto(self):
        with self.assertRaises(IntegrityError):
            CategoryThreshold.objects.create(category=self.kettles, auto=0.8, review=0.8)
