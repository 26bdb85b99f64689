from __future__ import annotations

from django.test import SimpleTestCase

from catalog.languages import detect_language, normalize_language


class DetectLanguageTestCase(SimpleTestCase):
    def test_it_tells_the_five_catalog_languages(self):
        texts = {
            "zh": "智能恒温电热水壶，1.7L大容量",
            "en": "Smart temperature-controlled electric kettle with keep-warm",
            "fr": "Bouilloire électrique en acier inoxydable avec maintien au chaud",
            "es": "Hervidor eléctrico de acero inoxidable con control de temperatura",
            "de": "Elektrischer Wasserkocher aus Edelstahl mit Temperaturwahl",
        }
        assert {code: detect_language(text).language for code, text in texts.items()} == {c: c for c in texts}

    def test_it_reports_rather_than_guesses_short_codes(self):
        detection = detect_language("USB-C 65W")
        assert detection.language is None
        assert detection.message.startswith("could not tell the language (")
        assert "0." in detection.message

    def test_it_names_a_language_outside_the_catalog(self):
        detection = detect_language("電気ケトル ステンレス 1.7L")
        assert detection.language is None
        assert "looks like Japanese" in detection.message

    def test_it_reports_text_without_words(self):
        assert detect_language("1.7 / 2200").message == "could not tell the language: the text has no words"


class NormalizeLanguageTestCase(SimpleTestCase):
    def test_it_accepts_codes_regions_and_names(self):
        assert [normalize_language(v) for v in ["zh", "ZH-cn", "en_US", " German ", "Français", "es"]] == [
            "zh", "zh", "en", "de", "fr", "es",
        ]

    def test_it_refuses_other_languages(self):
        assert normalize_language("ja") is None
        assert normalize_language("english please") is None
