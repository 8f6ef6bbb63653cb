"""`innograph ingest`, `template` and `generate` through a subprocess, on both engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "innograph", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_generate_then_ingest_twice_then_abort_on_bad_rows(engine_env: dict[str, str], tmp_path: Path) -> None:
    gen = run(engine_env, tmp_path, "generate", "--scale", "1000", "--seed", "3", "--out", "gen")
    assert gen.returncode == 0, gen.stderr
    assert (tmp_path / "gen" / "enterprises.csv").is_file() and "wrote" in gen.stdout

    first = run(engine_env, tmp_path, "ingest", "gen", "--json", "--batch-size", "2000")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["rejected"] == []
    assert report["counts"]["Enterprise"]["created"] > 400
    assert report["counts"]["COLLABORATES_WITH"]["created"] > 1000
    again = json.loads(run(engine_env, tmp_path, "ingest", "gen", "--json").stdout)
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again["counts"].values())

    bad = tmp_path / "企业.csv"
    bad.write_text("名称,统一社会信用代码\n示例甲有限公司,914403001922038217\n", encoding="gbk")
    out = run(engine_env, tmp_path, "ingest", str(bad), "--on-error", "abort")
    assert out.returncode == 1
    assert "企业.csv row 2 [统一社会信用代码]" in out.stdout and "GB 32100-2015" in out.stdout
    assert "refused" in out.stdout

    missing = run(engine_env, tmp_path, "ingest", "no-such-folder")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_template_writes_a_loadable_header_and_example(engine_env: dict[str, str], tmp_path: Path) -> None:
    listing = run(engine_env, tmp_path, "template")
    assert listing.returncode == 0 and "transferred_to" in listing.stdout
    made = run(engine_env, tmp_path, "template", "alias", "--format", "csv", "--out", "t/aliases.csv")
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "t" / "aliases.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["简称*,全称*,来源", "哈工大,哈尔滨工业大学,https://example.org/公开来源"]
    xlsx = run(engine_env, tmp_path, "template", "university", "--out", "u.xlsx", "--lang", "en")
    assert xlsx.returncode == 0 and (tmp_path / "u.xlsx").is_file()
    loaded = run(engine_env, tmp_path, "ingest", "u.xlsx", "--json")
    # the example row names 哈尔滨市, which is not in this empty graph: reported, not a traceback
    report = json.loads(loaded.stdout)
    assert report["rejected"][0]["column"] == "region" and "哈尔滨市" in report["rejected"][0]["reason"]
    unknown = run(engine_env, tmp_path, "template", "spaceship")
    assert unknown.returncode == 2 and "unknown kind" in unknown.stderr
