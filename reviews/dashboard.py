"""Figures for the review dashboard: audit precision, review volume, throughput, queue size."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from alignment.models import Match
from catalog.models import PATH_SEPARATOR, Category
from reviews import queue
from reviews.models import Decision

CHART_DAYS = 30


def wilson(successes: int, n: int, *, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95% by default); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _roots() -> dict[int | None, str]:
    paths = dict(Category.objects.values_list("pk", "path"))
    root_of: dict[int | None, str] = {pk: path.split(PATH_SEPARATOR)[0] for pk, path in paths.items()}
    root_of[None] = "(no category)"
    return root_of


def _grouped(qs: Any, root_of: dict[int | None, str], **aggregates: Any) -> dict[tuple[str, str], dict]:
    """Sum ``aggregates`` per (top-level category, language pair)."""
    out: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(int))
    rows = qs.values("sku_a__category_id", "sku_a__language", "sku_b__language").annotate(**aggregates)
    for row in rows:
        key = (
            root_of.get(row["sku_a__category_id"], "(no category)"),
            "-".join(queue.language_pair(row["sku_a__language"], row["sku_b__language"])),
        )
        for name in aggregates:
            out[key][name] += row[name]
    return out


def audit_precision(root_of: dict[int | None, str]) -> list[dict[str, Any]]:
    """Estimated precision of automatic merging, from blind audit verdicts."""
    audited = Match.objects.filter(is_audit_sample=True)
    groups = _grouped(
        audited,
        root_of,
        correct=Count("pk", filter=Q(status=Match.Status.CONFIRMED)),
        wrong=Count("pk", filter=Q(status=Match.Status.REJECTED)),
        waiting=Count("pk", filter=Q(status=Match.Status.AUTO_MERGED)),
    )
    rows = []
    for (category, languages), g in sorted(groups.items()):
        n = g["correct"] + g["wrong"]
        low, high = wilson(g["correct"], n)
        rows.append(
            {
                "category": category,
                "languages": languages,
                "correct": g["correct"],
                "wrong": g["wrong"],
                "waiting": g["waiting"],
                "n": n,
                "precision": 100 * g["correct"] / n if n else None,
                "low": 100 * low,
                "high": 100 * high,
            }
        )
    return rows


def review_volume(root_of: dict[int | None, str]) -> list[dict[str, Any]]:
    """Pairs in the review band per group: waiting now and decided in the last 7 days."""
    week = timezone.now() - timedelta(days=7)
    groups = _grouped(
        Match.objects.filter(is_audit_sample=False),
        root_of,
        pending=Count("pk", filter=Q(status=Match.Status.PENDING)),
        decided=Count(
            "pk",
            filter=Q(status__in=[Match.Status.CONFIRMED, Match.Status.REJECTED], decided_at__gte=week),
        ),
        confirmed=Count("pk", filter=Q(status=Match.Status.CONFIRMED, decided_at__gte=week)),
    )
    return [
        {"category": c, "languages": lp, **g}
        for (c, lp), g in sorted(groups.items(), key=lambda item: -item[1]["pending"])
        if g["pending"] or g["decided"]
    ]


def throughput() -> list[dict[str, Any]]:
    """Per reviewer: verdicts today and over 7 days, and the pace on the hours they worked."""
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - timedelta(days=7)
    recent = Decision.objects.verdicts().filter(created_at__gte=week)
    by_user: dict[int, dict[str, Any]] = defaultdict(lambda: {"today": 0, "week": 0, "confirmed": 0, "hours": set(), "undone": 0})
    for reviewer_id, action, created, undone in recent.values_list(
        "reviewer_id", "action", "created_at", "undone_by"
    ):
        row = by_user[reviewer_id]
        row["week"] += 1
        row["today"] += created >= today
        row["confirmed"] += action == Decision.Action.CONFIRM
        row["undone"] += undone is not None
        row["hours"].add(timezone.localtime(created).replace(minute=0, second=0, microsecond=0))
    names = dict(get_user_model().objects.filter(pk__in=by_user).values_list("pk", "username"))
    return [
        {
            "reviewer": names.get(pk, pk),
            "today": row["today"],
            "week": row["week"],
            "confirm_share": 100 * row["confirmed"] / row["week"],
            "undone": row["undone"],
            "per_hour": row["week"] / len(row["hours"]),
        }
        for pk, row in sorted(by_user.items(), key=lambda item: -item[1]["week"])
    ]


def queue_history(*, days: int = CHART_DAYS) -> list[dict[str, Any]]:
    """Queue size at the end of each of the last ``days`` days, and verdicts per day.

    Reconstructed backwards from today's queue: a day's end size is the next day's
    minus the pairs that arrived that next day plus the verdicts given on it (an
    undo puts a pair back). Audit samples are left out; they are not review work
    the pipeline created.
    """
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    current = Match.objects.filter(status=Match.Status.PENDING, is_audit_sample=False).count()
    arrived = _per_day(
        Match.objects.filter(
            is_audit_sample=False,
            status__in=[Match.Status.PENDING, Match.Status.CONFIRMED, Match.Status.REJECTED],
            created_at__date__gte=start,
        ),
        "created_at",
    )
    reviewed = Decision.objects.filter(blind=False, created_at__date__gte=start)
    verdicts = _per_day(reviewed.verdicts(), "created_at")
    undos = _per_day(reviewed.filter(action=Decision.Action.UNDO, undoes__action__in=["confirm", "reject"]), "created_at")
    series = []
    size = current
    for offset in range(days):
        day = today - timedelta(days=offset)
        series.append({"day": day, "size": size, "decided": verdicts.get(day, 0)})
        size = max(0, size - arrived.get(day, 0) + verdicts.get(day, 0) - undos.get(day, 0))
    return list(reversed(series))


def _per_day(qs: Any, field: str) -> dict[date, int]:
    return dict(
        qs.annotate(day=TruncDate(field)).values("day").annotate(n=Count("pk")).values_list("day", "n")
    )


def chart(series: list[dict[str, Any]], *, width: int = 720, height: int = 180) -> dict[str, Any]:
    """Coordinates for an inline SVG: the queue size as a line, verdicts per day as bars."""
    pad_left, pad_bottom, pad_top = 44, 22, 10
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    top = max([1, *(p["size"] for p in series), *(p["decided"] for p in series)])
    step = plot_w / max(1, len(series))

    def y(value: float) -> float:
        return round(pad_top + plot_h - value / top * plot_h, 1)

    points, bars = [], []
    for i, p in enumerate(series):
        x = pad_left + i * step + step / 2
        points.append(f"{x:.1f},{y(p['size'])}")
        bars.append(
            {"x": round(x - step * 0.3, 1), "y": y(p["decided"]), "w": round(step * 0.6, 1),
             "h": round(pad_top + plot_h - y(p["decided"]), 1), "day": p["day"], "decided": p["decided"],
             "size": p["size"]}
        )
    return {
        "width": width,
        "height": height,
        "points": " ".join(points),
        "bars": bars,
        "top": top,
        "y_top": pad_top,
        "y_base": pad_top + plot_h,
        "x_left": pad_left,
        "x_right": width - 8,
        "first": series[0]["day"] if series else None,
        "last": series[-1]["day"] if series else None,
    }


def collect() -> dict[str, Any]:
    root_of = _roots()
    series = queue_history()
    return {
        "precision": audit_precision(root_of),
        "volume": review_volume(root_of),
        "throughput": throughput(),
        "series": series,
        "chart": chart(series),
        "counts": queue.facet_counts(),
    }
