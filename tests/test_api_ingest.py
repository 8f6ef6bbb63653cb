"""Uploading files through the API on both engines: jobs, progress, the CLI's report, idempotence."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.routes.ingest import safe_filename
from ingest.builtin_sample import load_builtin_sample
from innograph.settings import Settings

NOW = "2026-01-01T00:00:00+00:00"
KEY = "upload-key-0123456789abcdef"
AUTH = {"X-API-Key": KEY}

ENTERPRISES = (
    "编号,名称,企业性质,高新技术企业\n"
    "org:up:e1,上传测试科技有限公司,民营,是\n"
    "org:up:e2,上传测试材料有限公司,外资,否\n"
    "org:up:e3,,民营,是\n"
).encode("utf-8")


@pytest.fixture
def client(store, tmp_path: Path) -> Iterator[TestClient]:
    load_builtin_sample(store, now=NOW)
    app = create_app(Settings(data_dir=tmp_path / "data", api_keys=KEY), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def snapshot(store) -> list:
    nodes = store.read("MATCH (n) RETURN n.id AS id, properties(n) AS p ORDER BY id")
    edges = store.read("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
                       "ORDER BY a, t, b, r.key")
    return [nodes, edges]


def upload(client: TestClient, name: str, content: bytes, **form: Any) -> dict[str, Any]:
    r = client.post("/api/ingest", headers=AUTH, files={"file": (name, content, "application/octet-stream")},
                    data={k: str(v) for k, v in form.items()})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/api/jobs/{r.json()['id']}"
    return r.json()


def wait(client: TestClient, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen = set()
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        seen.add(job["status"])
        if job["status"] not in ("queued", "running"):
            job["seen"] = seen
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_upload_runs_as_a_job_with_the_cli_report(client: TestClient, store) -> None:
    job = upload(client, "企业名录.csv", ENTERPRISES)
    assert job["status"] in ("queued", "running", "succeeded") and job["file"] == "企业名录.csv"
    done = wait(client, job["id"])
    assert done["status"] == "succeeded", done
    report = done["report"]
    assert report["counts"]["Enterprise"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    [bad] = report["rejected"]
    assert bad["file"] == "企业名录.csv" and bad["row"] == 4 and bad["column"] == "名称" and bad["reason"]
    assert done["progress"]["fraction"] == 1.0 and done["finished_at"] >= done["started_at"]
    e1 = client.get("/api/entities/org:up:e1").json()
    assert e1["node"]["name"] == "上传测试科技有限公司"
    assert e1["node"]["properties"]["high_tech"] is True
    assert e1["node"]["sources"] == ["企业名录.csv#row=2"]
    listed = client.get("/api/jobs").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == job["id"]

    # the same file again changes nothing
    before = snapshot(store)
    again = wait(client, upload(client, "企业名录.csv", ENTERPRISES)["id"])
    assert again["report"]["counts"]["Enterprise"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 1}
    assert snapshot(store) == before

    # and deleting its source takes its facts out again
    gone = client.delete("/api/sources/企业名录.csv", headers=AUTH).json()
    assert gone["nodes_deleted"] == 2
    assert client.get("/api/entities/org:up:e1").status_code == 404


def test_abort_loads_nothing_from_a_file_with_a_bad_row(client: TestClient, store) -> None:
    before = snapshot(store)
    done = wait(client, upload(client, "bad.csv", ENTERPRISES, on_error="abort", batch_size=1)["id"])
    assert done["status"] == "succeeded"
    assert done["options"] == {"on_error": "abort", "batch_size": 1, "kind": None}
    assert done["report"]["rejected"] and done["report"]["files"][0]["status"] == "refused"
    assert snapshot(store) == before


def test_file_names_are_provenance_only(client: TestClient, tmp_path: Path) -> None:
    job = upload(client, "../../../etc/企业名录.csv", ENTERPRISES)
    assert job["file"] == "企业名录.csv"
    done = wait(client, job["id"])
    assert done["status"] == "succeeded"
    assert client.get("/api/entities/org:up:e2").json()["node"]["sources"] == ["企业名录.csv#row=3"]
    assert not (tmp_path / "etc").exists() and not (tmp_path / "data" / "etc").exists()
    # the saved upload is removed once loaded
    assert not any((tmp_path / "data" / "uploads").rglob("*.csv"))


def test_forced_kind_and_unknown_kind(client: TestClient) -> None:
    rows = "名称,编号\n强制类型测试公司,org:up:k1\n".encode()
    done = wait(client, upload(client, "rows.csv", rows, kind="enterprise")["id"])
    assert done["status"] == "succeeded" and done["report"]["counts"]["Enterprise"]["created"] == 1
    r = client.post("/api/ingest", headers=AUTH, files={"file": ("rows.csv", rows)}, data={"kind": "spaceship"})
    assert r.status_code == 422
    assert r.json()["invalid_params"][0]["name"] == "kind"
    r = client.post("/api/ingest", headers=AUTH, files={"file": ("rows.csv", rows)}, data={"on_error": "ignore"})
    assert r.status_code == 422 and r.json()["invalid_params"][0]["name"] == "on_error"


def test_jobs_queue_one_at_a_time_and_all_finish(client: TestClient) -> None:
    ids = [upload(client, f"批次{i}.csv", f"编号,名称,企业性质\norg:q:{i},排队测试{i}有限公司,民营\n".encode())["id"]
           for i in range(3)]
    jobs = [wait(client, i) for i in ids]
    assert [j["status"] for j in jobs] == ["succeeded"] * 3
    # one at a time: each started after the previous one finished
    for a, b in zip(jobs, jobs[1:]):
        assert b["started_at"] >= a["finished_at"]
    assert client.get("/api/jobs/" + "f" * 32).status_code == 404


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("..\\..\\windows\\企业.xlsx") == "企业.xlsx"
    assert safe_filename(".hidden.csv") == "hidden.csv"
    assert safe_filename("a<b>:c|d?.csv") == "a_b__c_d_.csv"
    assert safe_filename("") == "upload" and safe_filename(None) == "upload" and safe_filename("..") == "upload"
    long = safe_filename("名" * 300 + ".xlsx")
    assert len(long) <= 120 and long.endswith(".xlsx")
    assert safe_filename("line\nbreak\x00.csv") == "line_break_.csv"


def test_policy_text_upload_loads_the_policy_layer(client: TestClient) -> None:
    text = (Path(__file__).parent / "data" / "policy" / "harbin_city_plan_2023_2025.txt").read_bytes()
    done = wait(client, upload(client, "哈尔滨市行动方案.txt", text)["id"])
    assert done["status"] == "succeeded", done
    assert done["kind"] == "policy" and done["report"]
    tasks = client.get("/api/search", params={"q": "哈尔滨", "kind": "Policy"}).json()
    assert tasks["total"] >= 1


def test_a_full_queue_refuses_uploads_with_429(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import api.routes.ingest as route

    monkeypatch.setattr(route, "MAX_QUEUED", 0)
    r = client.post("/api/ingest", headers=AUTH, files={"file": ("x.csv", ENTERPRISES)})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/jobs").json()["total"] == 0
