from __future__ import annotations

import importlib.util
from unittest.mock import patch

from django.test import SimpleTestCase, override_settings

from alignment.checks import check_scorer

real_find_spec = importlib.util.find_spec


def without_torch(name: str, *args, **kwargs):
    return None if name == "torch" else real_find_spec(name, *args, **kwargs)


class ScorerCheckTestCase(SimpleTestCase):
    @override_settings(ALIGNMENT_SCORER="qwen3")
    def test_it_warns_when_the_backend_library_is_missing(self):
        with patch("alignment.checks.importlib.util.find_spec", side_effect=without_torch):
            (warning,) = check_scorer()
        assert warning.id == "alignment.W001"
        assert "torch" in warning.msg and "transformers" not in warning.msg

    @override_settings(ALIGNMENT_SCORER="qwen3")
    def test_it_is_silent_when_the_libraries_are_installed(self):
        assert check_scorer() == []

    @override_settings(ALIGNMENT_SCORER="lexical")
    def test_it_needs_nothing_for_the_lexical_scorer(self):
        with patch("alignment.checks.importlib.util.find_spec", return_value=None):
            assert check_scorer() == []

    @override_settings(ALIGNMENT_SCORER="alignment.scorers.nope.Nope")
    def test_it_reports_a_scorer_that_cannot_be_imported(self):
        (error,) = check_scorer()
        assert error.id == "alignment.E002"
