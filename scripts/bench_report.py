#!/usr/bin/env python3
"""Turns the raw outputs of `make bench` (scripts/bench.sh) into build/bench/results.md
and results.json, each figure beside its target, and prints the Markdown.

Usage: bench_report.py build/bench
Reads (each optional but criterion.txt): criterion.txt (criterion's bencher lines),
round-trips.jsonl, cold-start.json, load.json, binaries.txt (one ELF path per line).
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

SKILL_TARGET_US = 100.0
COLD_START_TARGET_MS = 20.0
RSS_TARGET_MB = 32.0
SIZE_TARGET_BYTES = 8_000_000
ROUND_TRIP_TARGET = 2
ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}

# Published hello-world cold starts (lambda-perf, December 2025, average init duration).
FIELD = [
    ("Rust, provided.al2023, arm64", 12.9),
    ("Rust, provided.al2023, x86_64", 16.8),
    ("Go", 39.0),
    ("Python 3.12", 71.0),
    ("Node.js 22", 124.0),
    ("Java 21", 238.0),
]


def verdict(value, target):
    return f"met ({value / target:.2f}× the target)" if value < target else f"MISSED ({value / target:.2f}×)"


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def criterion(path):
    rows = []
    for line in path.read_text().splitlines():
        # test skill/order ... bench:       41,234 ns/iter (+/- 1,234)
        parts = line.split()
        if len(parts) >= 5 and parts[0] == "test" and parts[3] == "bench:":
            rows.append({"benchmark": parts[1], "ns_per_request": int(parts[4].replace(",", ""))})
    return rows


def elf(path):
    with open(path, "rb") as f:
        header = f.read(20)
    if header[:4] != b"\x7fELF":
        raise SystemExit(f"bench_report: {path} is not an ELF binary")
    return ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), "unknown")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/bench")
    results = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()),
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "arch": platform.machine()},
        "command": "make bench",
    }
    md = [
        "# Pod benchmarks",
        "",
        f"Measured {results['measured_at']} on {os.cpu_count()} cores of {cpu_model()} "
        f"({platform.machine()}), by `make bench`. Every figure below is a measurement of that run.",
        "",
    ]

    rows = criterion(out / "criterion.txt")
    results["handler_cost"] = rows
    md += ["## Handler CPU cost per request (criterion; embedded store on tmpfs, identity provider in process)", "",
           "| benchmark | time per request | target |", "| --- | --- | --- |"]
    for row in rows:
        us = row["ns_per_request"] / 1000
        target = verdict(us, SKILL_TARGET_US) if row["benchmark"].startswith("skill/") else "—"
        md.append(f"| `{row['benchmark']}` | {us:.1f} µs | {target} |")
    md.append("")

    trips_path = out / "round-trips.jsonl"
    if trips_path.exists():
        trips = [json.loads(line) for line in trips_path.read_text().splitlines() if line.strip()]
        results["round_trips"] = trips
        md += ["## External round trips per intent, warm instance (counted by the Auth0 client and the store)", "",
               f"Target: at most {ROUND_TRIP_TARGET} sequential Auth0 round trips for an order once tokens and "
               "profiles are cached. On the embedded store, store calls are local file access, not round trips; "
               "what a request waits for there is its durable commits (each one flush to disk, shared with "
               "concurrent writers).", "",
               "| store | request | Auth0 calls (sequential) | store calls | all sequential | durable commits (embedded) | calls in order |",
               "| --- | --- | --- | --- | --- | --- | --- |"]
        for t in trips:
            md.append(f"| {t['store']} | {t['request']} | {t['auth0_calls']} ({t['auth0_sequential']}) | "
                      f"{t['store_calls']} | {t['sequential']} | "
                      f"{t.get('durable_commits', 0) if t['store'] == 'embedded' else '—'} | {t['operations'] or '—'} |")
        orders = [t for t in trips if t["request"] == "order"]
        if orders:
            worst = max(t["auth0_sequential"] for t in orders)
            md += ["", f"Order intent: {worst} sequential Auth0 round trip(s): {verdict(worst, ROUND_TRIP_TARGET + 1)} "
                   f"(target ≤ {ROUND_TRIP_TARGET})."]
        md.append("")

    durability = {}
    for path in sorted(out.glob("load-durability-*-*.json")):
        for row in json.loads(path.read_text()):
            durability[(row["data"], row["connections"])] = row
    if durability:
        results["load_durability"] = list(durability.values())
        md += ["## The embedded store's order → code → confirm flow on disk and on tmpfs (wrk, release pod-local)", "",
               "Every commit is durable before its request is answered; concurrent writers share one flush "
               "(group commit, `shared/src/store/embedded_commits.rs`). Target: eight connections on disk within "
               "1.5× of the tmpfs figure.", "",
               "| connections | disk flows/s (p50 / p99 ms) | tmpfs flows/s (p50 / p99 ms) | tmpfs ÷ disk |",
               "| --- | --- | --- | --- |"]
        for conns in sorted({c for _, c in durability}):
            disk, tmpfs = durability.get(("disk", conns)), durability.get(("tmpfs", conns))
            if not disk or not tmpfs:
                continue
            ratio = tmpfs["flows_per_s"] / disk["flows_per_s"] if disk["flows_per_s"] else float("inf")
            md.append(f"| {conns} | {disk['flows_per_s']:.1f} ({disk['p50_ms']:.1f} / {disk['p99_ms']:.1f}) | "
                      f"{tmpfs['flows_per_s']:.1f} ({tmpfs['p50_ms']:.1f} / {tmpfs['p99_ms']:.1f}) | {ratio:.2f}× |")
            if conns == 8:
                md += ["", f"Eight connections: tmpfs ÷ disk {ratio:.2f}×: {verdict(ratio, 1.5)} (target ≤ 1.5×)."]
        md.append("")

    cold_path = out / "cold-start.json"
    if cold_path.exists():
        cold = json.loads(cold_path.read_text())
        results["cold_start"] = cold
        md += ["## Cold start and peak memory (process start → first answered invocation, Runtime API emulator)", "",
               "Each function as Lambda builds it (DynamoDB store, here on moto), started "
               f"{cold['settings']['runs']} times; after each first answer it serves {cold['settings']['warm']} more "
               "recorded events before its peak RSS (VmHWM) is read.", "",
               "| function | cold start median | p90 | min | of which first request | peak RSS | targets |",
               "| --- | --- | --- | --- | --- | --- | --- |"]
        for name, f in cold["functions"].items():
            median, rss = f["cold_start_ms"]["median"], f["peak_rss_mb"]["max"]
            md.append(f"| {name} | {median:.1f} ms | {f['cold_start_ms']['p90']:.1f} ms | "
                      f"{f['cold_start_ms']['min']:.1f} ms | {f['first_invocation_ms']['median']:.2f} ms | "
                      f"{rss:.1f} MB | cold start {verdict(median, COLD_START_TARGET_MS)}; "
                      f"RSS {verdict(rss, RSS_TARGET_MB)} |")
        plain_path = out / "cold-start-env-secrets.json"
        if plain_path.exists():
            plain = json.loads(plain_path.read_text())
            results["cold_start_env_secrets"] = plain
            md += ["", "The figures above include the one `GetSecretValue` each function makes at start (`SECRETS_ARN`, "
                   "here on moto on 127.0.0.1, so the network share is a floor). The same binaries with the secrets in "
                   "the environment instead:", "",
                   "| function | cold start median, secrets in the environment | the secret fetch's share |",
                   "| --- | --- | --- |"]
            for name, f in plain["functions"].items():
                with_secret = cold["functions"].get(name, {}).get("cold_start_ms", {}).get("median")
                without = f["cold_start_ms"]["median"]
                if with_secret is None:
                    continue
                share = with_secret - without
                md.append(f"| {name} | {without:.1f} ms | {share:+.1f} ms ({share / with_secret * 100:+.0f} %) |")
        md += ["", "Published hello-world cold starts on Lambda (lambda-perf, December 2025, average init duration), "
               "for comparison; Pod's own figures above include its first answered request:", "",
               "| runtime | cold start |", "| --- | --- |"]
        md += [f"| {name} | {ms:.1f} ms |" for name, ms in FIELD]
        md.append("")

    load_path = out / "load.json"
    if load_path.exists():
        load = json.loads(load_path.read_text())
        results["load"] = load
        md += ["## Throughput and latency under load (wrk against pod-local, release build, same machine)", "",
               "| store | scenario | requests/s | flows/s | p50 | p99 | errors |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in load:
            flows = r.get("flows_per_s")
            flows = "—" if flows is None else f"{flows:.0f}"
            md.append(f"| {r['store']} | {r['scenario']} | {r['rps']:.0f} | {flows} | {r['p50_ms']:.2f} ms | "
                      f"{r['p99_ms']:.2f} ms | {r['errors']} |")
        md.append("")

    binaries_path = out / "binaries.txt"
    if binaries_path.exists():
        sizes = []
        for line in binaries_path.read_text().splitlines():
            if line.strip():
                path = Path(line.strip())
                function = path.parent.name if path.name == "bootstrap" else path.name
                sizes.append({"function": function, "arch": elf(path), "bytes": path.stat().st_size,
                              "built_by": "cargo lambda build" if path.name == "bootstrap" else "cargo build"})
        results["binary_size"] = sizes
        md += ["## Release binary size (stripped; opt-level z, fat LTO, codegen-units 1, panic=abort)", "",
               "| function | architecture | built by | size | target |", "| --- | --- | --- | --- | --- |"]
        for s in sizes:
            md.append(f"| {s['function']} | {s['arch']} | {s['built_by']} | {s['bytes'] / 1_000_000:.2f} MB | "
                      f"{verdict(s['bytes'], SIZE_TARGET_BYTES)} |")
        md.append("")

    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text("\n".join(md))
    print("\n".join(md))
    print(f"bench: results in {out / 'results.md'} and {out / 'results.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
