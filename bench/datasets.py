"""Datasets of a given size: made by ``innograph generate`` and cached outside git.

The cache lives in ``$INNOGRAPH_BENCH_CACHE`` (default
``~/.cache/innograph/bench``), one folder per generator, size, seed and
generator code version, written to a temporary folder first and renamed when
complete, so an interrupted generation is never mistaken for a dataset. When
the product's generator is not available, :mod:`bench.synthetic` stands in
and the results say so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import REPO_ROOT

REFERENCE = REPO_ROOT / "ingest" / "sample" / "reference"
GENERATOR_CLI = "innograph generate"


def cache_root() -> Path:
    return Path(os.environ.get("INNOGRAPH_BENCH_CACHE", Path.home() / ".cache" / "innograph" / "bench"))


@dataclass
class Dataset:
    """One generated dataset and what the benchmark loads with it."""

    size: int
    seed: int
    generator: str
    path: str
    paths: list[str]
    files: dict[str, int] = field(default_factory=dict)
    megabytes: float = 0.0
    generate_seconds: float | None = None
    cached: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def generator_available(timeout: float = 120) -> bool:
    """True when ``innograph generate`` exists in this checkout."""
    proc = subprocess.run([sys.executable, "-m", "innograph", "generate", "--help"], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO_ROOT)
    return proc.returncode == 0


def _generator_code() -> list[Path]:
    files = [p for p in (REPO_ROOT / "ingest").rglob("*.py") if "generat" in p.name]
    cmd = REPO_ROOT / "innograph" / "cmd_ingest.py"
    return files + ([cmd] if cmd.exists() else [])


def _file_rows(folder: Path) -> dict[str, int]:
    out = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix.lower() in (".csv", ".jsonl", ".tsv"):
            with open(f, "rb") as fh:
                out[str(f.relative_to(folder))] = max(sum(1 for _ in fh) - (f.suffix.lower() != ".jsonl"), 0)
    return out


def ensure_dataset(size: int, seed: int, *, use_product_generator: bool | None = None,
                   timeout: float = 3600, log: Any = print) -> Dataset:
    """The dataset of ``size`` nodes for ``seed``, generated now or found in the cache."""
    product = generator_available() if use_product_generator is None else use_product_generator
    if product:
        name, code = GENERATOR_CLI, _generator_code()
    else:
        from bench import synthetic

        name, code = synthetic.NAME, [Path(synthetic.__file__)]
    tag = "gen" if product else "fallback"
    folder = cache_root() / "datasets" / f"{tag}-{size}-s{seed}-{_digest(code)}"
    meta_path = folder / "bench-dataset.json"
    paths = [str(REFERENCE), str(folder)]
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return Dataset(size=size, seed=seed, generator=name, path=str(folder), paths=paths, files=meta["files"],
                       megabytes=meta["megabytes"], generate_seconds=meta.get("generate_seconds"), cached=True)
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    log(f"generating the {size:,}-node dataset (seed {seed}) with the {name} …")
    t0 = time.perf_counter()
    try:
        if product:
            proc = subprocess.run([sys.executable, "-m", "innograph", "generate", "--scale", str(size),
                                   "--seed", str(seed), "--out", str(tmp)], capture_output=True, text=True,
                                  timeout=timeout, cwd=REPO_ROOT)
            if proc.returncode != 0:
                raise RuntimeError(f"innograph generate failed ({proc.returncode}): {proc.stderr[-2000:]}")
        else:
            from bench import synthetic

            synthetic.generate(tmp, size, seed)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = round(time.perf_counter() - t0, 1)
    files = _file_rows(tmp)
    mb = round(sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file()) / 2**20, 1)
    (tmp / "bench-dataset.json").write_text(json.dumps({"files": files, "megabytes": mb, "generate_seconds": seconds,
                                                        "generator": name, "size": size, "seed": seed}))
    # the marker file is not a data file the pipeline reads (json, not jsonl)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return Dataset(size=size, seed=seed, generator=name, path=str(folder), paths=paths, files=files, megabytes=mb,
                   generate_seconds=seconds)
