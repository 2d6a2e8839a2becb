#!/usr/bin/env python3
"""Sums perf samples of the skill handler bench by stage (scripts/profile_handler.sh runs it).

Usage: profile_stages.py WORK_DIR OUT_DIR. WORK_DIR holds one `perf script -F ip,sym` output per
case (<case>.stacks: one sample per block, frames innermost first). A sample belongs to the stage
named by its innermost frame that names one (allocation, redb, serde_json, Fluent…; std's locks and
maps count for the component that called them), or the kernel's.
Samples outside the handler (criterion, the bench's own set-up) are left out. Writes OUT_DIR/profile.json and profile.md, prints the Markdown.
Python 3.11, stdlib only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# (stage, substrings of a symbol): a sample counts for the first of these its frames name, from
# the innermost out (allocation first, so that it is its own line). The first stage matching wins.
STAGES = [
    ("allocation (malloc, free)", ("malloc", "free", "realloc", "_int_", "tcache", "unlink_chunk", "__rust_alloc",
                                   "__rust_dealloc", "__rust_realloc", "mimalloc", "_mi_", "mi_heap", "mi_page")),
    ("store (redb)", ("redb::", "pod_shared::store::")),
    ("JSON (serde_json)", ("serde_json::", "serde::", "serde_core::")),
    ("speech and messages (Fluent)", ("fluent_bundle::", "fluent_syntax::", "intl_pluralrules", "unic_langid",
                                      "intl_memoizer", "pod_shared::i18n", "pod_skill::speech", "pod_shared::receipt")),
    ("hashing and codes", ("sha2::", "ring::", "aws_lc", "hmac::", "subtle::", "pod_shared::builtin_codes")),
    ("metrics and logs", ("tracing", "pod_shared::metrics", "pod_shared::round_trips")),
    ("async runtime (tokio)", ("tokio::",)),
    ("Pod's logic (domain, service, skill)", ("pod_shared::", "pod_skill::")),
]
KERNEL = "kernel (the store's file writes and flushes)"
OTHER = "other (std, core)"
# Frames of the bench's own set-up (building the next request; for the code cases, placing the
# order each one checks) and of criterion's analysis: samples with any of them are left out.
SET_UP = ("handler::request", "handler::event", "handler::Bench::next_order", "handler::order", "handler::authorize",
          "criterion::analysis", "criterion::stats", "criterion::report", "criterion::estimate", "plotters")
ORDER_HANDLER = "pod_skill::yes::"


def samples(path: Path):
    """Each sample's frames, innermost first, as (address, symbol)."""
    block: list[tuple[str, str]] = []
    for line in path.read_text(errors="replace").splitlines():
        if not line.strip():
            if block:
                yield block
            block = []
            continue
        parts = line.strip().split(None, 1)
        block.append((parts[0], parts[1] if len(parts) > 1 else "[unknown]"))
    if block:
        yield block


def stage_of(frames: list[tuple[str, str]], case: str) -> str | None:
    symbols = [symbol for _, symbol in frames]
    if any(any(s in f for s in SET_UP) for f in symbols):
        return None
    if case != "order" and any(ORDER_HANDLER in f for f in symbols):
        return None  # a code case's set-up places the order it checks
    if not any(("pod_" in f or "redb::" in f) for f in symbols):
        return None  # not the handler at all (criterion's loop, the harness)
    # From the innermost frame out: the kernel, then the first component named; generic code
    # (std's locks, hash maps) counts for the component that called it.
    for address, symbol in frames:
        if address.startswith("ffffffff"):
            return KERNEL
        for stage, needles in STAGES:
            if any(n in symbol for n in needles):
                return stage
    return OTHER


def main() -> None:
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    results = {}
    for stacks in sorted(work.glob("*.stacks")):
        counts: dict[str, int] = {}
        for frames in samples(stacks):
            stage = stage_of(frames, stacks.stem)
            if stage:
                counts[stage] = counts.get(stage, 0) + 1
        total = sum(counts.values())
        results[stacks.stem] = {"samples": total, "stages": {k: round(100 * v / total, 1) for k, v in counts.items()}
                                if total else {}}
    (out / "profile.json").write_text(json.dumps(results, indent=2) + "\n")
    cases = list(results)
    stages = [s for s, _ in STAGES] + [KERNEL, OTHER]
    md = ["## Where the skill handler's CPU time goes (perf, share of the handler's samples)", "",
          "| stage | " + " | ".join(cases) + " |", "| --- |" + " --- |" * len(cases)]
    for stage in stages:
        md.append(f"| {stage} | " + " | ".join(f"{results[c]['stages'].get(stage, 0.0):.1f} %" for c in cases) + " |")
    md.append("| samples | " + " | ".join(str(results[c]["samples"]) for c in cases) + " |")
    text = "\n".join(md) + "\n"
    (out / "profile.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
