from __future__ import annotations

from django.test import TestCase

from alignment.instructions import DEFAULT_INSTRUCTION, active_template, instruction_for
from alignment.models import InstructionTemplate
from catalog.models import Category


class InstructionForTestCase(TestCase):
    def setUp(self) -> None:
        self.kettles = Category.get_or_create_path("Home > Kitchen > Kettles")
        self.kitchen = self.kettles.parent
        self.home = self.kitchen.parent

    def template(self, category, version, text, *, published=True):
        return InstructionTemplate.objects.create(category=category, version=version, text=text, is_published=published)

    def test_it_falls_back_to_the_built_in_english_instruction(self):
        assert instruction_for(self.kettles) == (DEFAULT_INSTRUCTION, None)
        assert instruction_for(None) == (DEFAULT_INSTRUCTION, None)
        assert "same product" in DEFAULT_INSTRUCTION

    def test_it_uses_the_published_default_template(self):
        default = self.template(None, 2, "Default v2")
        self.template(None, 3, "Draft v3", published=False)
        assert instruction_for(self.kettles) == ("Default v2", default)

    def test_it_uses_the_nearest_published_template_up_the_tree(self):
        self.template(None, 1, "Default")
        home = self.template(self.home, 1, "Home")
        kitchen = self.template(self.kitchen, 4, "Kitchen v4")
        self.template(self.kitchen, 5, "Kitchen v5 draft", published=False)
        assert active_template(self.kettles) == kitchen
        assert active_template(self.home) == home
        other = Category.get_or_create_path("Garden")
        assert instruction_for(other)[0] == "Default"

    def test_it_takes_the_newest_published_version(self):
        self.template(self.kitchen, 1, "v1")
        newest = self.template(self.kitchen, 2, "v2")
        assert active_template(self.kettles) == newest
