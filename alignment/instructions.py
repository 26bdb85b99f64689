"""Which instruction steers the reranker for a category.

The nearest published template up the category tree wins; then the published
default template (category null); then the built-in ``DEFAULT_INSTRUCTION``.
"""

from __future__ import annotations

from alignment.models import InstructionTemplate
from catalog.models import Category

DEFAULT_INSTRUCTION = (
    "Given a product description in one language, judge whether the document describes "
    "exactly the same product (same type, brand, model, capacity, size and specifications), "
    "possibly in another language."
)


def active_template(category: Category | None) -> InstructionTemplate | None:
    """The newest published template of the nearest category up the tree, else the default one."""
    scopes: list[int | None] = [c.pk for c in category.ancestors()] if category else []
    published = InstructionTemplate.objects.filter(is_published=True).order_by("-version")
    if scopes:
        by_category = {}
        for template in published.filter(category_id__in=scopes):
            by_category.setdefault(template.category_id, template)
        for pk in scopes:
            if pk in by_category:
                return by_category[pk]
    return published.filter(category__isnull=True).first()


def instruction_for(category: Category | None) -> tuple[str, InstructionTemplate | None]:
    """The instruction text for a category and the template it came from (None: built-in)."""
    template = active_template(category)
    if template is None:
        return DEFAULT_INSTRUCTION, None
    return template.text, template
