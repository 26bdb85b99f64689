"""Warming up a worker process's scorer before it takes work.

Without it, the first chunk a worker process scores pays for loading the model
and, for Qwen3 on CUDA, for torch.compile (136 s measured on an H100). ``warm_up``
scores a few made-up pairs shaped like a chunk's: SKU texts of several lengths
and languages, every query against several documents, so the batches have
several rows of different lengths (padded, as real batches are) and the
compiled graph has seen the shapes it will see.
"""

from __future__ import annotations

import time

from alignment.instructions import DEFAULT_INSTRUCTION
from alignment.scorers import Scorer

# SKU texts as ``SKU.text()`` writes them: a bare title, a title with brand and
# attributes, a title with a description; Latin and CJK scripts.
SAMPLE_TEXTS = [
    "Electric kettle 1.7 L",
    "Aquora\nWasserkocher KT-200, 1,7 L, 2200 W, Edelstahl\ncolor: silber; capacity: 1,7 L",
    "Bouilloire électrique KT-200 1,7 L\nBouilloire en acier inoxydable avec filtre anticalcaire amovible, "
    "arrêt automatique, socle pivotant à 360° et témoin lumineux. Puissance 2200 W.",
    "智能恒温电热水壶 1.7L 大容量 304不锈钢\n容量: 1.7L; 功率: 2200W",
    "Voltix\nPower bank PB-20K, 20000 mAh, 65 W USB-C PD\nPower bank with two USB-C ports and one USB-A "
    "port, charges a laptop at 65 W and a phone at 20 W at the same time; LED display of the charge left.",
]


def sample_groups() -> list[tuple[str, list[str]]]:
    """Three sample texts as queries, each against the other four: pairs of many lengths."""
    return [(query, [d for d in SAMPLE_TEXTS if d != query]) for query in SAMPLE_TEXTS[:3]]


def warm_up(scorer: Scorer) -> float:
    """Score the sample pairs with ``scorer``; return the seconds it took (its model's load included).

    Give it the process's ``get_scorer()``: the chunks the process scores later
    then use the model it loaded (and compiled) here.
    """
    started = time.perf_counter()
    scorer.score_groups(sample_groups(), DEFAULT_INSTRUCTION)
    return time.perf_counter() - started
