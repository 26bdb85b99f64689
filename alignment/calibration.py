"""Turn a scorer's raw scores into calibrated probabilities, and fit that mapping.

Thresholds (auto-merge 0.9, review 0.7) are probabilities, so every raw score
passes through ``to_probabilities`` before routing. The mapping used, in order:
the active ``Calibration`` row for the scorer, its model revision and the
language pair; the same for all pairs; the fit shipped in
``alignment/default_calibration.json`` (fitted on the development set); and
the identity (right for qwen3, whose P("yes") is already a probability).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from alignment.models import Calibration
    from alignment.scorers.base import Scorer

DEFAULT_CALIBRATION_PATH = Path(__file__).with_name("default_calibration.json")
# Scores are clipped away from 0 and 1 before taking logits, and probabilities
# away from them before log loss: a calibrated "certainly" is still 0.999.
EPSILON = 1e-6
PROBABILITY_FLOOR = 1e-3
ECE_BINS = 10
# Isotonic replaces Platt only when its held-out log loss is this much lower (relative).
ISOTONIC_MARGIN = 0.05
# A language pair gets its own fit only with this many labels, of both classes. With
# fewer, a pair's own curve follows its noise: on the e5 development set, fits of
# 150-180 labels per pair did worse on held-out pairs (5 folds by category) than the
# one fit of all pairs: precision at 0.9 0.956-0.958 against 0.965, log loss 0.224
# against 0.222.
MIN_LABELS_PER_PAIR = 500
MIN_PER_CLASS = 20


def pair_key(language_pair: tuple[str, str] | None) -> str:
    """("zh", "en") -> "en-zh": one key per unordered pair; None or an unknown side -> "" (all pairs)."""
    if not language_pair or not all(language_pair):
        return ""
    return "-".join(sorted(language_pair))


def _logit(score: float) -> float:
    score = min(max(score, EPSILON), 1 - EPSILON)
    return math.log(score / (1 - score))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


@dataclass(frozen=True)
class Mapping:
    """A calibration function: ``method`` with its ``params``."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)

    def apply(self, raw_scores: list[float]) -> list[float]:
        if self.method == "identity":
            return [min(max(float(s), 0.0), 1.0) for s in raw_scores]
        if self.method == "platt":
            a, b = self.params["a"], self.params["b"]
            return [_sigmoid(a * _logit(s) + b) for s in raw_scores]
        if self.method == "isotonic":
            return [_interpolate(s, self.params["x"], self.params["y"]) for s in raw_scores]
        raise ValueError(f"Unknown calibration method {self.method!r}")


def _interpolate(score: float, xs: list[float], ys: list[float]) -> float:
    if score <= xs[0]:
        return ys[0]
    if score >= xs[-1]:
        return ys[-1]
    lo, hi = 0, len(xs) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if xs[mid] <= score:
            lo = mid
        else:
            hi = mid
    span = xs[hi] - xs[lo]
    t = (score - xs[lo]) / span if span else 0.0
    return ys[lo] + t * (ys[hi] - ys[lo])


@dataclass(frozen=True)
class CalibrationInfo:
    """Which fit turned raw scores into probabilities, for display and audit."""

    source: str  # "database", "shipped" or "identity"
    scorer: str
    language_pair: str
    mapping: Mapping
    label_count: int = 0
    ece: float | None = None
    fitted_at: datetime | str | None = None

    def describe(self) -> str:
        pair = self.language_pair or "all pairs"
        if self.source == "identity":
            return f"{self.scorer}: uncalibrated (identity), {pair}"
        ece = f", ECE {self.ece:.3f}" if self.ece is not None else ""
        return f"{self.scorer}: {self.mapping.method} fit ({self.source}), {pair}, {self.label_count} labels{ece}"


def _shipped() -> dict[str, Any]:
    try:
        return json.loads(DEFAULT_CALIBRATION_PATH.read_text())
    except FileNotFoundError:
        return {"scorers": {}}


def _active_row(scorer: Scorer, key: str) -> Calibration | None:
    from alignment.models import Calibration

    return (
        Calibration.objects.filter(
            scorer=scorer.name, model_revision=scorer.model_revision, language_pair=key, is_active=True
        )
        .order_by("-fitted_at")
        .first()
    )


def calibration_info(scorer: Scorer, language_pair: tuple[str, str] | None = None) -> CalibrationInfo:
    """The fit that ``to_probabilities`` uses for this scorer and language pair."""
    key = pair_key(language_pair)
    for candidate in dict.fromkeys([key, ""]):
        row = _active_row(scorer, candidate)
        if row is not None:
            return CalibrationInfo(
                source="database",
                scorer=scorer.name,
                language_pair=row.language_pair,
                mapping=Mapping(row.method, row.params),
                label_count=row.label_count,
                ece=row.ece,
                fitted_at=row.fitted_at,
            )
    shipped = _shipped()["scorers"].get(scorer.name)
    if shipped and shipped.get("model_revision", scorer.model_revision) == scorer.model_revision:
        pairs = shipped.get("pairs", {})
        entry = pairs.get(key) or shipped
        return CalibrationInfo(
            source="shipped",
            scorer=scorer.name,
            language_pair=key if key in pairs else "",
            mapping=Mapping(entry["method"], entry["params"]),
            label_count=entry.get("label_count", 0),
            ece=entry.get("ece"),
            fitted_at=entry.get("fitted_at"),
        )
    return CalibrationInfo(source="identity", scorer=scorer.name, language_pair="", mapping=Mapping("identity"))


def to_probabilities(
    scorer: Scorer, raw_scores: list[float], *, language_pair: tuple[str, str] | None = None
) -> list[float]:
    """Calibrated probabilities for a scorer's raw scores, in the same order."""
    if not raw_scores:
        return []
    return calibration_info(scorer, language_pair).mapping.apply(list(raw_scores))


# Fitting ------------------------------------------------------------------


def fit_platt(raw_scores: list[float], labels: list[bool]) -> Mapping:
    """Logistic regression of the label on logit(raw score), by Newton's method with a line search.

    A tiny ridge penalty keeps the fit finite when the classes separate perfectly. Each
    Newton step is halved until the penalised log loss falls: a full step from (1, 0) can
    overshoot and run away (to a slope of millions, which maps every score to 1) when the
    scores pile up at both ends of the logit range, as a sharp scorer's do.
    """
    xs = [_logit(s) for s in raw_scores]
    ys = [1.0 if y else 0.0 for y in labels]
    ridge = 1e-3

    def objective(a: float, b: float) -> float:
        total = ridge * a * a / 2
        for x, y in zip(xs, ys, strict=True):
            margin = (a * x + b) * (1 if y else -1)  # -log sigmoid(margin), without overflow
            total += math.log1p(math.exp(-margin)) if margin > 0 else -margin + math.log1p(math.exp(margin))
        return total

    a, b = 1.0, 0.0
    current = objective(a, b)
    for _ in range(100):
        ga = gb = haa = hab = hbb = 0.0
        for x, y in zip(xs, ys, strict=True):
            p = _sigmoid(a * x + b)
            w = p * (1 - p)
            ga += (p - y) * x
            gb += p - y
            haa += w * x * x
            hab += w * x
            hbb += w
        ga += ridge * a
        haa += ridge
        hbb += 1e-9
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        step = 1.0
        while step > 1e-12:
            value = objective(a - step * da, b - step * db)
            if value <= current:
                break
            step /= 2
        else:
            break  # no step lowers the loss: at the optimum, as far as floats tell
        a, b, current = a - step * da, b - step * db, value
        if abs(step * da) < 1e-9 and abs(step * db) < 1e-9:
            break
    return Mapping("platt", {"a": a, "b": b})


def _smoothed_rate(block: list[float]) -> float:
    """A step's rate with one pseudo-label of each class (Laplace): 30 matches of 30 is 0.97, not 1."""
    return (block[0] + 1) / (block[1] + 2)


def fit_isotonic(raw_scores: list[float], labels: list[bool]) -> Mapping:
    """Pool-adjacent-violators: a non-decreasing step function of smoothed rates.

    Each step's rate counts one pseudo-label of each class, so a step of a few
    hundred labels' top scores, all matches, maps to 0.97 rather than to 1: the
    next catalog's pairs in that range are not all matches, and an automatic merge
    should not be certain on 30 examples.
    """
    pairs = sorted(zip(raw_scores, labels, strict=True))
    blocks: list[list[float]] = []  # [sum of labels, count, min score, max score]
    for score, label in pairs:
        blocks.append([float(label), 1.0, score, score])
        while len(blocks) > 1 and _smoothed_rate(blocks[-2]) >= _smoothed_rate(blocks[-1]):
            last = blocks.pop()
            blocks[-1][0] += last[0]
            blocks[-1][1] += last[1]
            blocks[-1][3] = last[3]
    xs: list[float] = []
    ys: list[float] = []
    for block in blocks:
        low, high = block[2], block[3]
        value = min(max(_smoothed_rate(block), PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR)
        for x in dict.fromkeys([low, high]):
            xs.append(x)
            ys.append(value)
    return Mapping("isotonic", {"x": xs, "y": ys})


def log_loss(probabilities: list[float], labels: list[bool]) -> float:
    total = 0.0
    for p, y in zip(probabilities, labels, strict=True):
        p = min(max(p, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR)
        total -= math.log(p if y else 1 - p)
    return total / len(labels)


def expected_calibration_error(probabilities: list[float], labels: list[bool], *, bins: int = ECE_BINS) -> float:
    """Mean |observed rate - mean probability| over equal-width bins, weighted by size."""
    sums = [[0.0, 0.0, 0] for _ in range(bins)]
    for p, y in zip(probabilities, labels, strict=True):
        b = min(int(p * bins), bins - 1)
        sums[b][0] += p
        sums[b][1] += 1.0 if y else 0.0
        sums[b][2] += 1
    n = len(labels)
    return sum(abs(conf - hits) / n for conf, hits, count in sums if count)


@dataclass(frozen=True)
class FitResult:
    mapping: Mapping
    label_count: int
    positives: int
    ece: float
    log_loss: float
    candidates: dict[str, float]  # held-out log loss of each method tried


def fit(raw_scores: list[float], labels: list[bool], *, seed: int = 0, held_out: float = 0.3) -> FitResult:
    """Fit Platt and isotonic on part of the labels, keep Platt unless isotonic's
    held-out log loss is lower by more than ISOTONIC_MARGIN, and refit the kept
    one on all labels. ECE and log loss are held-out."""
    if len(raw_scores) != len(labels):
        raise ValueError("raw_scores and labels differ in length")
    positives = sum(1 for y in labels if y)
    if positives == 0 or positives == len(labels):
        raise ValueError("Calibration needs labels of both classes")
    rng = random.Random(seed)
    train: list[int] = []
    test: list[int] = []
    for cls in (True, False):  # stratified split, so both parts hold both classes
        idx = [i for i, y in enumerate(labels) if bool(y) is cls]
        rng.shuffle(idx)
        cut = max(1, round(len(idx) * held_out))
        test += idx[:cut]
        train += idx[cut:] or idx[:cut]
    scores_train = [raw_scores[i] for i in train]
    labels_train = [labels[i] for i in train]
    scores_test = [raw_scores[i] for i in test]
    labels_test = [labels[i] for i in test]
    fitters = {"platt": fit_platt, "isotonic": fit_isotonic}
    losses: dict[str, float] = {}
    held_out_probabilities: dict[str, list[float]] = {}
    for method, fitter in fitters.items():
        probabilities = fitter(scores_train, labels_train).apply(scores_test)
        held_out_probabilities[method] = probabilities
        losses[method] = log_loss(probabilities, labels_test)
    # A step function fitted on a few hundred labels follows their noise: its
    # steps at the top send whole score ranges to 0.97+ on the next catalog. The
    # smooth curve stays unless the steps are clearly better.
    best = "isotonic" if losses["isotonic"] < losses["platt"] * (1 - ISOTONIC_MARGIN) else "platt"
    return FitResult(
        mapping=fitters[best](list(raw_scores), list(labels)),
        label_count=len(labels),
        positives=positives,
        ece=expected_calibration_error(held_out_probabilities[best], labels_test),
        log_loss=losses[best],
        candidates=losses,
    )


def save_fit(scorer: Scorer, result: FitResult, *, language_pair: str = "") -> Calibration:
    """Store a fit as the active calibration for the scorer and pair; older ones stay, inactive."""
    from django.db import transaction

    from alignment.models import Calibration

    with transaction.atomic():
        Calibration.objects.filter(
            scorer=scorer.name, model_revision=scorer.model_revision, language_pair=language_pair, is_active=True
        ).update(is_active=False)
        return Calibration.objects.create(
            scorer=scorer.name,
            model_revision=scorer.model_revision,
            language_pair=language_pair,
            method=result.mapping.method,
            params=result.mapping.params,
            label_count=result.label_count,
            positives=result.positives,
            ece=result.ece,
            log_loss=result.log_loss,
            fitted_at=timezone.now(),
        )


# Labels and the calibrate workflow -------------------------------------------


@dataclass(frozen=True)
class Label:
    raw_score: float
    match: bool
    language_pair: str


def collect_labels(scorer: Scorer, *, k: int | None = None, instruction: str = "") -> list[Label]:
    """Score labelled pairs the way the pipeline would, and label them.

    Each SKU with a ``product_ref`` is scored against the candidates retrieval
    finds for it (the same lists the pipeline scores, so rank-relative features
    see what they see in production): a candidate with the same ``product_ref``
    is a positive, one with another ``product_ref`` a negative. A reviewer's
    decision (a confirmed or rejected Match) overrides the reference data and
    labels pairs retrieval did not bring up, each scored among the first SKU's
    candidates as if retrieval had found it.
    """
    from django.db.models import Q

    from alignment import embeddings, retrieval
    from alignment.models import Match
    from catalog.models import SKU

    decided = {
        Match.ordered(m.sku_a_id, m.sku_b_id): m.status == Match.Status.CONFIRMED
        for m in Match.objects.filter(status__in=[Match.Status.CONFIRMED, Match.Status.REJECTED])
    }
    decided_ids = {pk for pair in decided for pk in pair}
    skus = list(SKU.objects.filter(~Q(product_ref="") | Q(pk__in=decided_ids)).order_by("pk"))
    by_id = {sku.pk: sku for sku in skus}
    vectors = embeddings.ensure_embeddings(skus)
    found = retrieval.get_index().retrieve(skus, vectors, k=k)
    missing = set(SKU.objects.filter(pk__in={c.sku_id for cs in found.values() for c in cs} - by_id.keys()))
    by_id.update({sku.pk: sku for sku in missing})

    def label_of(a: SKU, b: SKU) -> bool | None:
        key = Match.ordered(a.pk, b.pk)
        if key in decided:
            return decided[key]
        if a.product_ref and b.product_ref:
            return a.product_ref == b.product_ref
        return None

    labels: list[Label] = []
    seen: set[tuple[int, int]] = set()
    for sku in skus:
        others = [by_id[c.sku_id] for c in found.get(sku.pk, []) if c.sku_id in by_id]
        if not others:
            continue
        scores = scorer.score(embeddings.sku_text(sku), [embeddings.sku_text(o) for o in others], instruction)
        for other, score in zip(others, scores, strict=True):
            label = label_of(sku, other)
            seen.add(Match.ordered(sku.pk, other.pk))
            if label is not None:
                labels.append(Label(score, label, pair_key((sku.language, other.language))))
    # Decided pairs retrieval did not bring up are scored among the first SKU's
    # candidates, not alone: rank-relative features (e5's) read a lone document as
    # the best of its list, which no pair in production is by default.
    unseen: dict[int, list[tuple[int, bool]]] = {}
    for (a_id, b_id), label in decided.items():
        if (a_id, b_id) not in seen and a_id in by_id and b_id in by_id:
            unseen.setdefault(a_id, []).append((b_id, label))
    for a_id, decisions in unseen.items():
        a = by_id[a_id]
        partners = {b_id for b_id, _ in decisions}
        rivals = [by_id[c.sku_id] for c in found.get(a_id, []) if c.sku_id in by_id and c.sku_id not in partners]
        documents = rivals + [by_id[b_id] for b_id, _ in decisions]
        scores = scorer.score(embeddings.sku_text(a), [embeddings.sku_text(d) for d in documents], instruction)
        for (b_id, label), score in zip(decisions, scores[len(rivals) :], strict=True):
            labels.append(Label(score, label, pair_key((a.language, by_id[b_id].language))))
    return labels


def fit_by_language_pair(
    labels: list[Label], *, min_labels: int = MIN_LABELS_PER_PAIR, seed: int = 0
) -> dict[str, FitResult]:
    """One fit for all pairs ("") and one per language pair with enough labels of both classes.

    Raises ValueError when even the overall fit lacks labels of both classes.
    """
    fits = {"": fit([lb.raw_score for lb in labels], [lb.match for lb in labels], seed=seed)}
    groups: dict[str, list[Label]] = {}
    for label in labels:
        groups.setdefault(label.language_pair, []).append(label)
    for key, group in sorted(groups.items()):
        positives = sum(1 for lb in group if lb.match)
        if len(group) >= min_labels and min(positives, len(group) - positives) >= MIN_PER_CLASS:
            fits[key] = fit([lb.raw_score for lb in group], [lb.match for lb in group], seed=seed)
    return fits


def write_default(scorer: Scorer, fits: dict[str, FitResult], *, source: str, path: Path | None = None) -> Path:
    """Store fits as the calibration shipped for this scorer (alignment/default_calibration.json)."""
    path = path or DEFAULT_CALIBRATION_PATH
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        data = {}
    data.setdefault("scorers", {})

    def entry(result: FitResult) -> dict[str, Any]:
        return {
            "method": result.mapping.method,
            "params": result.mapping.params,
            "label_count": result.label_count,
            "positives": result.positives,
            "ece": round(result.ece, 6),
            "log_loss": round(result.log_loss, 6),
        }

    overall = entry(fits[""])
    overall.update(
        model_revision=scorer.model_revision,
        fitted_at=datetime.now(UTC).isoformat(timespec="seconds"),
        fitted_on=source,
        pairs={key: entry(result) for key, result in fits.items() if key},
    )
    data["scorers"][scorer.name] = overall
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return path
