"""``python -m bench [--quick] [--sizes …] [--engines …] [--out docs/benchmarks.md] …``"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from bench.config import ENGINES, PHASES, BenchConfig


def _ints(text: str) -> list[int]:
    try:
        values = [int(x.replace("_", "").replace(",", "").strip()) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not values or any(v < 1000 or v > 1_000_000 for v in values):
        raise argparse.ArgumentTypeError("sizes must be between 1,000 and 1,000,000 nodes")
    return values


def _choices(allowed: tuple[str, ...]) -> "argparse._ActionsContainer":  # type: ignore[name-defined]
    def parse(text: str) -> list[str]:
        items = [x.strip() for x in text.split(",") if x.strip()]
        bad = [x for x in items if x not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(bad) or 'value'}; choose from {', '.join(allowed)}")
        return list(dict.fromkeys(items))

    return parse  # type: ignore[return-value]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=(
        "Benchmark innograph on both engines (ingest, queries, analytics, API) and write docs/benchmarks.md "
        "and docs/benchmarks.json."))
    p.add_argument("--quick", action="store_true", help="10k nodes, both engines, small draw counts (< 5 minutes; CI)")
    p.add_argument("--sizes", type=_ints, help="graph sizes in nodes, e.g. 10000,100000,1000000")
    p.add_argument("--engines", type=_choices(ENGINES), help="falkordb,neo4j (default both)")
    p.add_argument("--phases", type=_choices(PHASES), help="ingest,queries,analytics,api (default all)")
    p.add_argument("--out", type=Path, help="markdown to write (the JSON goes next to it); default docs/benchmarks.md")
    p.add_argument("--seed", type=int, help="dataset and parameter seed (default 7)")
    p.add_argument("--batch-sizes", type=_batch_sizes, help="batch sizes to load with, e.g. 1000,5000,20000")
    p.add_argument("--draws", type=int, help="draws per query with one client (8 clients get twice as many)")
    p.add_argument("--seconds", type=float, help="time bound of each query run and each API endpoint, in seconds")
    p.add_argument("--api-workers", type=int, help="uvicorn workers of the API under load (default: one per core; --quick: 1)")
    p.add_argument("--no-profile", action="store_true", help="do not profile what misses a target")
    p.add_argument("--render", action="store_true",
                   help="only render the markdown again from the JSON next to it (after editing bench/findings.md)")
    p.add_argument("--fallback-generator", action="store_true",
                   help="use the benchmark's own generator even when innograph generate exists")
    return p


def _batch_sizes(text: str) -> list[int]:
    try:
        values = [int(x.replace("_", "").strip()) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not values or any(v < 1 or v > 100_000 for v in values):
        raise argparse.ArgumentTypeError("batch sizes must be between 1 and 100,000")
    return values


def config_from(args: argparse.Namespace, argv: list[str]) -> BenchConfig:
    overrides = {
        "sizes": args.sizes, "engines": args.engines, "phases": args.phases, "out": args.out, "seed": args.seed,
        "batch_sizes": args.batch_sizes, "draws": args.draws, "api_workers": args.api_workers,
    }
    cfg = BenchConfig.quick_mode(**overrides) if args.quick else BenchConfig()
    if not args.quick:
        for k, v in overrides.items():
            if v is not None:
                setattr(cfg, k, v)
    if args.seconds is not None:
        cfg.seconds_per_run = cfg.api_seconds = args.seconds
    if args.no_profile:
        cfg.profile = False
    if args.fallback_generator:
        cfg.product_generator = False
    cfg.out = cfg.out.resolve()
    cfg.command = "python -m bench " + " ".join(shlex.quote(a) for a in argv)
    return cfg


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 0 when every phase ran (missed targets are results, not failures)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    cfg = config_from(args, argv)
    if args.render:
        from bench.report import load_document, write_outputs

        if not cfg.json_out.exists():
            print(f"error: no results to render: {cfg.json_out} does not exist", file=sys.stderr)
            return 2
        write_outputs(load_document(cfg.json_out), cfg.out)
        print(f"rendered {cfg.out} from {cfg.json_out}")
        return 0
    from bench.runner import Runner

    doc = Runner(cfg).run()
    print(f"results: {cfg.out} and {cfg.json_out}")
    failed = [r for r in doc.get("results", []) if r.get("run") and r.get("error")]
    return 1 if failed else 0
