from __future__ import annotations

import importlib.util
import io
import json
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from django.test import SimpleTestCase

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_spec = importlib.util.spec_from_file_location("build_data", DATA_DIR / "build_data.py")
assert _spec and _spec.loader
build_data = importlib.util.module_from_spec(_spec)
sys.modules["build_data"] = build_data  # dataclasses look their module up there
_spec.loader.exec_module(build_data)

HEADER = ",".join(build_data.HEADER)
KETTLES = "Home > Kitchen > Kettles"
THERMOMETERS = "Home > Kitchen > Thermometers"


def row(source, code, lang, title, ref, *, category=KETTLES, description="", attributes=""):
    cells = [source, code, lang, title, description, "", category, attributes, ref]
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)


# Six products in two categories, every one in two or three languages.
GOOD = "\n".join(
    [
        HEADER,
        row("erp-cn", "1", "zh", "智能恒温电热水壶 1.7L", "P-1", attributes='{"容量": "1.7L"}'),
        row("shop", "1-EN", "en", "Smart kettle 1.7 L", "P-1", description="Four presets.\n- 2200 W"),
        row("shop", "1-DE", "", "Wasserkocher mit Temperaturwahl für Tee und Kaffee, 1,7 l", "P-1"),
        row("erp-cn", "2", "zh", "智能恒温电热水壶 1.5L", "P-2"),
        row("shop", "2-FR", "fr", "Bouilloire intelligente 1,5 L", "P-2"),
        row("erp-cn", "3", "zh", "玻璃电热水壶", "P-3"),
        row("shop", "3-ES", "es", "Hervidor de cristal", "P-3"),
        row("erp-cn", "4", "zh", "不锈钢电热水壶 3000W", "P-4"),
        row("shop", "4-EN", "en", "Stainless kettle 3000 W", "P-4"),
        row("erp-cn", "5", "zh", "数显食品温度计", "P-5", category=THERMOMETERS),
        row("shop", "5-EN", "en", "Digital food thermometer", "P-5", category=THERMOMETERS),
        row("erp-cn", "6", "zh", "红外测温枪", "P-6", category=THERMOMETERS),
        row("shop", "6-DE", "de", "Infrarot-Thermometer", "P-6", category=THERMOMETERS),
    ]
)


class BuildDataTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = Path(self.tmp.name)
        (self.dir / "catalog").mkdir()

    def write_part(self, name: str, text: str) -> None:
        (self.dir / "catalog" / name).write_text(text + "\n", encoding="utf-8")

    def run_main(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = build_data.main(["--data-dir", str(self.dir), *args])
        return code, out.getvalue(), err.getvalue()

    def devset(self) -> list[dict]:
        lines = (self.dir / "devset.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def test_it_concatenates_the_parts_and_prints_counts(self):
        self.write_part("part_a.csv", GOOD)
        self.write_part("part_b.csv", "\n".join([HEADER, row("amz", "9", "de", "Babyschale", "P-9", category="Baby"),
                                                 row("amz", "9-EN", "en", "Infant car seat", "P-9", category="Baby")]))
        code, out, _ = self.run_main()
        assert code == 0
        catalog = (self.dir / "sample_catalog.csv").read_text(encoding="utf-8")
        assert catalog.startswith('"source","sku_code","language"')
        assert catalog.count("\n") > 15  # header, 15 rows and the kept line break in one description
        assert '"Four presets.\n- 2200 W"' in catalog
        assert "Sample catalog: 15 SKUs, 7 products" in out
        assert "Language left empty on 1 rows" in out

    def test_it_builds_queries_with_siblings_in_other_languages_and_distractors(self):
        self.write_part("part_a.csv", GOOD)
        assert self.run_main()[0] == 0
        queries = self.devset()
        assert len(queries) == 12  # two per product
        for query in queries:
            matches = [c for c in query["candidates"] if c["match"]]
            distractors = [c for c in query["candidates"] if not c["match"]]
            assert matches
            assert 3 <= len(distractors) <= 5
            assert all(c["lang"] != query["query"]["lang"] for c in query["candidates"])
        # The row without a language is used with its guessed one.
        german = "Wasserkocher mit Temperaturwahl für Tee und Kaffee, 1,7 l"
        uses = [q["query"] for q in queries] + [c for q in queries for c in q["candidates"]]
        langs = [use["lang"] for use in uses if use["text"] == german]
        assert langs
        assert set(langs) == {"de"}

    def test_it_takes_distractors_from_the_same_category_before_the_parent(self):
        self.write_part("part_a.csv", GOOD)
        self.run_main()
        thermometers = {"数显食品温度计", "Digital food thermometer", "红外测温枪", "Infrarot-Thermometer"}
        kettle_queries = [q for q in self.devset() if q["category"] == KETTLES]
        assert len(kettle_queries) == 8
        for query in kettle_queries:
            titles = [c["text"].split("\n")[0] for c in query["candidates"] if not c["match"]]
            # Three other kettle products exist: they come first, thermometers only fill up.
            assert len([title for title in titles if title not in thermometers]) == 3
            assert len(set(titles)) == len(titles)

    def test_it_is_deterministic(self):
        self.write_part("part_a.csv", GOOD)
        self.run_main()
        first = (self.dir / "devset.jsonl").read_text(encoding="utf-8")
        self.run_main()
        assert (self.dir / "devset.jsonl").read_text(encoding="utf-8") == first

    def test_it_appends_the_extra_set(self):
        self.write_part("part_a.csv", GOOD)
        extra = {"id": "x-1", "category": "Beyond", "query": {"lang": "fr", "text": "Casque"},
                 "candidates": [{"lang": "en", "text": "Headset", "match": True}]}
        (self.dir / "devset_extra.jsonl").write_text(json.dumps(extra) + "\n", encoding="utf-8")
        code, out, _ = self.run_main()
        assert code == 0
        assert self.devset()[-1] == extra
        assert "extra queries by language: fr 1" in out

    def test_it_reports_every_problem_and_writes_nothing(self):
        (self.dir / "sample_catalog.csv").write_text("the previous build\n", encoding="utf-8")
        self.write_part("part_a.csv", "\n".join([
            HEADER,
            row("erp-cn", "1", "zh", "电热水壶", "P-1", attributes="{not json"),
            row("shop", "1-EN", "xx", "Kettle", "P-1"),
            row("shop", "2-EN", "en", "Scale", "P-2"),
            row("shop", "2-EN", "de", "Waage", "P-2"),
            row("shop", "3-EN", "en", "", "P-3"),
        ]))
        code, out, err = self.run_main()
        assert code == 1
        assert "nothing written" in err
        assert "part_a.csv:2: attributes are not valid JSON" in err
        assert "part_a.csv:3: language 'xx' is not one of zh, en, fr, es, de or empty" in err
        assert "part_a.csv:5: duplicate (source, sku_code) ('shop', '2-EN'), first at" in err
        assert "part_a.csv:6: title is empty" in err
        assert "product P-2 is in 1 language(s) (en), needs 2 to 5" in err
        assert (self.dir / "sample_catalog.csv").read_text(encoding="utf-8") == "the previous build\n"
        assert not (self.dir / "devset.jsonl").exists()

    def test_it_rejects_a_wrong_header(self):
        self.write_part("part_a.csv", "source,sku,language\nshop,1,en")
        code, _, err = self.run_main()
        assert code == 1
        assert "part_a.csv:1: header must be source,sku_code,language" in err

    def test_it_rejects_a_bad_extra_line_with_its_number(self):
        self.write_part("part_a.csv", GOOD)
        (self.dir / "devset_extra.jsonl").write_text('{"query": {"text": "a"}, "candidates": []}\n', encoding="utf-8")
        code, _, err = self.run_main()
        assert code == 1
        assert 'devset_extra.jsonl:1: "candidates" must be a non-empty list' in err

    def test_it_checks_that_the_generated_files_are_up_to_date(self):
        self.write_part("part_a.csv", GOOD)
        assert self.run_main("--check")[0] == 1
        self.run_main()
        code, out, _ = self.run_main("--check")
        assert code == 0
        assert "up to date" in out

    def test_it_guesses_the_five_languages(self):
        assert build_data.guess_language("可折叠宠物航空箱，适配小型犬") == "zh"
        assert build_data.guess_language("Foldable Pet Carrier for Small Dogs, Airline Approved") == "en"
        assert build_data.guess_language("Sac de transport pliable pour petit chien") == "fr"
        assert build_data.guess_language("Transportín plegable para perros pequeños") == "es"
        assert build_data.guess_language("Faltbare Hundetransporttasche für kleine Hunde") == "de"


class ShippedDataTestCase(SimpleTestCase):
    """The committed sample catalog and dev set are what the parts build to."""

    def test_it_builds_the_shipped_data_without_problems(self):
        report = build_data.build(DATA_DIR, write=False)
        assert len(report.rows) >= 330
        assert {row.language for row in report.rows} == set(build_data.LANGUAGES)
        assert len(report.queries) >= 200
        assert {q["query"]["lang"] for q in report.queries} == set(build_data.LANGUAGES)
        assert build_data.stale_files(DATA_DIR, report) == [], "run: python data/build_data.py"
