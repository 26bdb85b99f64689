from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings

from catalog.languages import detect_language

# The editor recommends English: the rerankers were instructed in English.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
INSTRUCTION_SOFT_LIMIT = 1000
INSTRUCTION_HARD_LIMIT = 4000


@dataclass(frozen=True)
class Example:
    title: str
    query: str
    candidates: list[str]
    instruction: str = ""


# "Load example" presets, from the demo in the seed article (section 3).
EXAMPLES: dict[str, Example] = {
    "booster-seat": Example(
        "Children's booster seat (zh → 5 languages)",
        "儿童增高安全座椅,ISOFIX硬接口,侧撞防护,适用3-12岁",
        [
            "Kids Booster Seat with ISOFIX Anchors, Side Impact Protection, Ages 3-12",
            "Siège-auto rehausse pour enfants, fixation ISOFIX, protection contre les chocs latéraux",
            "Asiento Elevador para Niños con Anclajes ISOFIX, Protección contra Impactos Laterales",
            "Kinder-Höhenversteller mit ISOFIX-Verankerung, Seitenaufprallschutz",
            "Portable Baby Changing Mat with Waterproof Layer, Easy Clean",
        ],
    ),
    "kettle": Example(
        "Smart kettle 1.7 L (zh → en/fr/de + a decoy)",
        "智能恒温电热水壶,1.7L大容量,4档温度调节",
        [
            "Smart Temperature-Controlled Electric Kettle, 1.7L Capacity, 4 Preset Temp Settings",
            "Bouilloire Électrique Intelligente avec Contrôle de Température, 1,7 L, 4 Régles de Température",
            "Intelligente elektrische Wasserkocher mit Temperaturregelung, 1,7 L Fassungsvermögen, 4 Temperaturstufen",
            "Digital Food Thermometer with Probe, Fast Reading",
        ],
    ),
    "stroller": Example(
        "Foldable stroller (zh → similar baby products)",
        "可折叠便携式婴儿推车,适合0-3岁",
        [
            "Foldable Lightweight Stroller for Newborn to 36 Months",
            "Baby Car Seat with 5-Point Harness, FAA Approved",
            "Portable Travel Stroller, Compact Fold Design",
            "Infant Carrier Backpack, Ergonomic Design",
        ],
    ),
    "baby-safety": Example(
        "Custom instruction: baby products and safety certifications",
        "儿童增高安全座椅,ISOFIX硬接口,侧撞防护,适用3-12岁,ECE R44/04认证",
        [
            "Kids Booster Seat with ISOFIX Anchors, Side Impact Protection, Ages 3-12, ECE R44/04 certified",
            "Kids Booster Seat with ISOFIX Anchors, Side Impact Protection, Ages 3-12",
            "Portable Baby Changing Mat with Waterproof Layer, Easy Clean",
        ],
        "Does the document describe the same baby product as the query, including safety "
        "certifications like ECE R44/04?",
    ),
}


class PlaygroundForm(forms.Form):
    query = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    candidates = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One candidate per line, in any of zh, en, fr, es, de.",
        error_messages={"required": "Enter at least one candidate, one per line."},
    )
    instruction = forms.CharField(
        required=False,
        max_length=INSTRUCTION_HARD_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. Empty: the published default instruction.",
    )

    def clean_query(self) -> str:
        query = self.cleaned_data["query"].strip()
        if len(query) > settings.API_MAX_DOCUMENT_CHARS:
            raise forms.ValidationError(f"At most {settings.API_MAX_DOCUMENT_CHARS} characters.")
        return query

    def clean_candidates(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["candidates"].splitlines()]
        candidates = [line for line in lines if line]
        if not candidates:
            raise forms.ValidationError("Enter at least one candidate, one per line.")
        if len(candidates) > settings.API_MAX_DOCUMENTS:
            raise forms.ValidationError(
                f"{len(candidates)} candidates: at most {settings.API_MAX_DOCUMENTS} per ranking."
            )
        too_long = [i for i, c in enumerate(candidates, 1) if len(c) > settings.API_MAX_DOCUMENT_CHARS]
        if too_long:
            raise forms.ValidationError(
                f"Candidate {too_long[0]} is longer than {settings.API_MAX_DOCUMENT_CHARS} characters."
            )
        return candidates

    def clean_instruction(self) -> str:
        return self.cleaned_data["instruction"].strip()


class InstructionForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=INSTRUCTION_HARD_LIMIT,
        strip=True,
        error_messages={"required": "The instruction cannot be empty."},
    )


def instruction_warnings(text: str) -> list[str]:
    """Advice on an instruction that is allowed but probably not what the admin wants."""
    text = text.strip()
    warnings: list[str] = []
    if not text:
        return warnings
    if CJK.search(text):
        warnings.append(
            "The instruction contains Chinese (or other CJK) characters: write instructions in "
            "English, the language the reranker was instructed in, whatever the catalog's languages."
        )
    else:
        language = detect_language(text).language
        if language and language != "en":
            warnings.append(
                f"The instruction looks like it is not in English (detected: {language}): English "
                "instructions work best, whatever the catalog's languages."
            )
    if len(text) > INSTRUCTION_SOFT_LIMIT:
        warnings.append(
            f"The instruction is {len(text)} characters long (over ~{INSTRUCTION_SOFT_LIMIT}): it is "
            "repeated for every pair scored, so long instructions slow scoring and crowd out the "
            "product text. Keep it to what decides 'the same product'."
        )
    return warnings


class ThresholdForm(forms.Form):
    review = forms.FloatField(
        label="Review threshold",
        help_text="Pairs at or above this probability go to the review queue.",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
    )
    auto = forms.FloatField(
        label="Auto-merge threshold",
        help_text="Pairs at or above this probability are merged automatically.",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("review", "auto"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 1:
                self.add_error(name, "Must be between 0 and 1.")
                data.pop(name, None)
        review, auto = data.get("review"), data.get("auto")
        if review is not None and auto is not None and review >= auto:
            raise forms.ValidationError(
                f"The review threshold ({review:g}) must be below the auto-merge threshold ({auto:g})."
            )
        return data
