#!/usr/bin/env python3
"""Side-by-side table of two stack_bench.py --json results: this project and upstream.

python bench/ratios.py ours.json upstream.json
"""

from __future__ import annotations

import json
import sys


def seconds(cell: str) -> float | None:
    try:
        return float(cell.lstrip(">"))
    except ValueError:
        return None


def ratio(ours: str, theirs: str) -> str:
    a, b = seconds(ours), seconds(theirs)
    if a is None or b is None or a == 0:
        return "-"
    return f"{'≥' if theirs.startswith('>') else ''}{b / a:.0f}x"


def main() -> int:
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        theirs = json.load(f)
    print("| shape N | op | this project s | upstream s | upstream / this |")
    print("|---|---|---|---|---|")
    for case, cells in ours["cases"].items():
        other = theirs["cases"].get(case)
        if other is None:
            continue
        for op, a, b in zip(("create", "update", "delete"), cells, other, strict=True):
            print(f"| {case} | {op} | {a} | {b} | {ratio(a, b)} |")
    print("\n| request | this project median / p95 ms | upstream median / p95 ms |")
    print("|---|---|---|")
    for label, (median, p95) in ours["latency"].items():
        other = theirs["latency"].get(label)
        shown = f"{other[0]} / {other[1]}" if other else "-"
        print(f"| {label} | {median} / {p95} | {shown} |")
    print(
        f"\nPeak engine RSS: this project {ours.get('peak_mib', '-')} MiB, "
        f"upstream {theirs.get('peak_mib', '-')} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
