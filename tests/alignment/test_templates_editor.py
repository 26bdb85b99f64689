from __future__ import annotations

from django.contrib.auth.models import Group

from alignment.models import InstructionTemplate
from catalog.models import Category
from reviews import roles
from tests.base import BaseTestCase

ENGLISH = "Judge whether the document describes the same kettle, with the same capacity."


class TemplateEditorTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        self.kitchen = Category.get_or_create_path("Home > Kitchen")
        self.kettles = Category.get_or_create_path("Home > Kitchen > Kettles")
        self.url = f"/instructions/{self.kettles.pk}/"
        self.client.login(username="alice", password="password")

    def test_it_lists_categories_with_active_versions_and_drafts(self):
        v1 = InstructionTemplate.add_version(self.kitchen, text="Kitchen v1")
        v1.publish()
        InstructionTemplate.add_version(self.kitchen, text="Kitchen v2")
        r = self.client.get("/instructions/")
        assert r.status_code == 200
        rows = {row["category"].path: row for row in r.context["rows"]}
        assert rows["Home > Kitchen"]["active"] == v1
        assert [d.version for d in rows["Home > Kitchen"]["drafts"]] == [2]
        assert rows["Home > Kitchen > Kettles"]["active"] is None
        assert rows["Home > Kitchen > Kettles"]["inherited"] == v1
        assert b"inherits Kitchen v1" in r.content
        assert b"Download the aligned catalog" in r.content

    def test_it_saves_every_edit_as_a_new_draft_version(self):
        r = self.client.post(self.url, {"text": ENGLISH})
        assert r.status_code == 302
        assert r["Location"] == f"{self.url}?v=1"
        r = self.client.post(self.url, {"text": ENGLISH + " Same brand."})
        assert r["Location"] == f"{self.url}?v=2"
        versions = list(InstructionTemplate.scope(self.kettles))
        assert [(t.version, t.is_published, t.created_by) for t in versions] == [
            (2, False, self.alice),
            (1, False, self.alice),
        ]
        assert versions[1].text == ENGLISH

    def test_it_refuses_an_empty_instruction(self):
        r = self.client.post(self.url, {"text": "   "})
        assert r.status_code == 400
        assert b"The instruction cannot be empty." in r.content
        assert not InstructionTemplate.objects.exists()

    def test_it_refuses_a_save_without_changes(self):
        InstructionTemplate.add_version(self.kettles, text=ENGLISH)
        r = self.client.post(self.url, {"text": ENGLISH})
        assert r.status_code == 400
        assert b"No change: this is the text of version 1." in r.content
        assert InstructionTemplate.objects.count() == 1

    def test_it_warns_about_chinese_instructions_but_saves_them(self):
        r = self.client.post(self.url, {"text": "判断文档是否描述同一款电热水壶"}, follow=True)
        assert InstructionTemplate.objects.count() == 1
        assert "write instructions in English" in r.content.decode()

    def test_it_warns_about_other_non_english_and_overlong_text_while_typing(self):
        r = self.client.post(
            f"{self.url}check/",
            {"text": "Juger si le document décrit exactement le même produit, avec la même capacité et la même marque."},
            headers={"HX-Request": "true"},
        )
        assert b"<html" not in r.content
        assert b"not in English (detected: fr)" in r.content
        r = self.client.post(f"{self.url}check/", {"text": ENGLISH * 20}, headers={"HX-Request": "true"})
        assert b"over ~1000" in r.content
        r = self.client.post(f"{self.url}check/", {"text": ENGLISH}, headers={"HX-Request": "true"})
        assert b"class=\"warn\"" not in r.content
        assert b"class=\"bad\"" not in r.content
        r = self.client.post(f"{self.url}check/", {"text": ""}, headers={"HX-Request": "true"})
        assert b"The instruction cannot be empty." in r.content

    def test_it_shows_version_history_and_a_diff_against_the_previous_version(self):
        InstructionTemplate.add_version(self.kettles, text="Same kettle, same capacity.")
        InstructionTemplate.add_version(self.kettles, text="Same kettle, same capacity and brand.")
        r = self.client.get(self.url, {"v": 2})
        assert r.status_code == 200
        body = r.content.decode()
        assert "Changes from version 1" in body
        assert "<del>capacity.</del>" in body
        assert "<ins>capacity and brand.</ins>" in body
        r = self.client.get(self.url, {"v": 1}, headers={"HX-Request": "true", "HX-Target": "version"})
        assert b"<html" not in r.content
        assert b"The first version." in r.content

    def test_it_escapes_instruction_text(self):
        InstructionTemplate.add_version(self.kettles, text="<script>alert(1)</script> same product")
        r = self.client.get(self.url)
        assert b"<script>alert(1)</script>" not in r.content
        assert b"&lt;script&gt;alert(1)&lt;/script&gt; same product" in r.content

    def test_it_edits_the_default_template(self):
        r = self.client.post("/instructions/default/", {"text": ENGLISH})
        assert r.status_code == 302
        template = InstructionTemplate.objects.get()
        assert template.category is None
        assert self.client.get("/instructions/default/").status_code == 200

    def test_it_answers_404_for_an_unknown_scope(self):
        assert self.client.get("/instructions/999999/").status_code == 404
        assert self.client.get("/instructions/kitchen/").status_code == 404

    def test_a_merchandiser_cannot_edit_templates(self):
        self.client.login(username="bob", password="password")
        assert self.client.get("/instructions/").status_code == 403
        assert self.client.get(self.url).status_code == 403
        assert self.client.post(self.url, {"text": ENGLISH}).status_code == 403
        assert not InstructionTemplate.objects.exists()

    def test_it_requires_login(self):
        self.client.logout()
        r = self.client.get("/instructions/")
        assert r.status_code == 302
        assert "/accounts/login/" in r["Location"]

    def test_the_list_uses_a_fixed_number_of_queries(self):
        for i in range(10):
            Category.get_or_create_path(f"Home > Kitchen > Kettles > Size {i} > Deep")
        InstructionTemplate.add_version(self.kitchen, text="Kitchen v1").publish()
        with self.assertNumQueries(8):
            r = self.client.get("/instructions/")
        assert r.content.count(b"inherits Kitchen v1") == 21  # Kettles and 10 x (Size, Deep)
