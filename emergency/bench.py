"""Benchmark harness: builds a demo store at a given scale and prints what it measured.

Not part of the test run's timing assertions: these machines are noisy, so the numbers
are printed (and written as JSON), never asserted.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

from emergency import demo, store


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(scale: float = 1.0, seed: int = 42, path: Path | None = None) -> dict:
    """Build the demo at ``scale`` and return build seconds, row counts, file size and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(path) if path else Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        counts = demo.build_demo_file(target, scale=scale, seed=seed)
        build_s = time.perf_counter() - started
        size_mb = target.stat().st_size / 2**20
        conn = store.connect(target, read_only=True)
        conn.close()
    return {
        "scale": scale,
        "seed": seed,
        "demo_build_s": round(build_s, 2),
        "rows": counts,
        "rainfall_rows_per_s": round(counts.get("rainfall", 0) / build_s) if build_s else None,
        "file_mb": round(size_mb, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def format_table(result: dict) -> str:
    """Return the result as a plain text table."""
    lines = [f"{'measure':<28}{'value':>16}"]
    for key in ("scale", "demo_build_s", "rainfall_rows_per_s", "file_mb", "peak_rss_mb"):
        lines.append(f"{key:<28}{result[key]!s:>16}")
    for table, count in result["rows"].items():
        lines.append(f"{'rows.' + table:<28}{count:>16,}")
    return "\n".join(lines)


def main(scale: float = 1.0, seed: int = 42, json_path: str | None = None) -> dict:
    result = run(scale, seed)
    print(format_table(result))
    if json_path:
        Path(json_path).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m emergency.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale factor (≈83 → 10 M rainfall rows)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
    args = parser.parse_args()
    main(args.scale, args.seed, args.json_path)
