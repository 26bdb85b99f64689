"""Routing thresholds: the settings, overridden per category tree by CategoryThreshold."""

from __future__ import annotations

from django.conf import settings

from alignment.models import CategoryThreshold
from catalog.models import Category


def default_thresholds() -> tuple[float, float]:
    return settings.ALIGNMENT_AUTO_THRESHOLD, settings.ALIGNMENT_REVIEW_THRESHOLD


def thresholds_for(category: Category | None) -> tuple[float, float]:
    """(auto, review) for a category: the nearest override up the tree, else the settings."""
    if category is None:
        return default_thresholds()
    chain = [c.pk for c in category.ancestors()]
    overrides = {t.category_id: t for t in CategoryThreshold.objects.filter(category_id__in=chain)}
    for pk in chain:
        if pk in overrides:
            return overrides[pk].auto, overrides[pk].review
    return default_thresholds()
