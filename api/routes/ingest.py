"""Upload a file to load (a background job), and poll the job until it ends with its report."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import PurePosixPath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile

from api import problems
from api.deps import PageDep, ReadAccess, SettingsDep, StoreDep, WriteKey
from api.jobs import MAX_QUEUED, JobManager
from api.models import JobPublic, Paged
from graph.errors import InputError

router = APIRouter(tags=["ingest"])

#: file extension → job kind
ACCEPTED = {".xlsx": "ingest", ".csv": "ingest", ".jsonl": "ingest", ".txt": "policy"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME = 120


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


JobsDep = Annotated[JobManager, Depends(get_jobs)]


def safe_filename(name: str | None) -> str:
    """A file name fit for provenance: no folders, no control or reserved characters, no leading dots.

    Chinese names are kept as they are (``企业名录.xlsx``); ``../../etc/passwd`` becomes ``passwd``.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name or "upload"


def check_kind(kind: str) -> None:
    """Refuse an unknown layout name now, rather than in the job."""
    from ingest.layouts import layout

    try:
        layout(kind)
    except InputError as exc:
        raise InputError(f"parameter 'kind': {exc}") from None


@router.post("/api/ingest", status_code=202, response_model=JobPublic, dependencies=[WriteKey],
             summary="上传并导入文件 Upload a file and load it (background job)", operation_id="ingest",
             responses={202: {"description": "the job, queued; poll its Location",
                              "links": {"GetJob": {"operationId": "get_job",
                                                   "parameters": {"job_id": "$response.body#/id"}}}},
                        **problems.responses(400, 401, 403, 413, 415, 422, 429, 503)})
def ingest(
    request: Request,
    response: Response,
    jobs: JobsDep,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="xlsx, csv, jsonl (structured rows) or txt (policy text)")],
    on_error: Annotated[Literal["skip", "abort"], Form(description="skip bad rows, or load nothing from a file "
                                                                   "with any bad row")] = "skip",
    batch_size: Annotated[int, Form(ge=1, le=100_000, description="rows per write transaction")] = 5000,
    kind: Annotated[str | None, Form(min_length=1, max_length=64,
                                     description="force the layout of the file, e.g. `enterprise`, "
                                                 "`collaborates_with` (default: found from the header)")] = None,
) -> JobPublic:
    """Save the upload and queue it; answers ``202`` with the job at once. Poll ``GET /api/jobs/{id}``
    (the ``Location`` header) until ``status`` is ``succeeded`` or ``failed``: the job then holds the same
    report as ``innograph ingest`` (created / updated / unchanged / rejected rows, each rejected row with
    file, row, column and reason). The file name is kept as provenance only."""
    name = safe_filename(file.filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ACCEPTED:
        raise problems.UnsupportedMediaType(
            f"{name!r}: accepted files are {', '.join(sorted(ACCEPTED))} (structured rows or policy text)")
    if kind and ACCEPTED[suffix] == "ingest":
        check_kind(kind)
    if jobs.queued() >= MAX_QUEUED:
        raise problems.QueueFull(f"{MAX_QUEUED} ingestion jobs are waiting already; upload again when they have "
                                 "run", headers={"Retry-After": "30"})
    limit = settings.max_upload_mb * 1024 * 1024
    job_id, folder = jobs.new_upload_dir()
    target = folder / name
    copied = 0
    try:
        with open(target, "wb") as out:
            while chunk := file.file.read(1024 * 1024):
                copied += len(chunk)
                if copied > limit:
                    raise problems.PayloadTooLarge(f"uploads are limited to {settings.max_upload_mb} MB "
                                                   "(INNOGRAPH_MAX_UPLOAD_MB)")
                out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    options = {"on_error": on_error, "batch_size": batch_size, "kind": kind}
    job = jobs.submit(job_id, target, kind=ACCEPTED[suffix], options=options)
    response.headers["Location"] = str(request.url_for("job", job_id=job.id).path)
    return job


@router.get("/api/jobs", response_model=Paged[JobPublic], dependencies=[ReadAccess],
            summary="导入任务列表 Recent ingestion jobs", responses=problems.responses(401, 422))
def list_jobs(jobs: JobsDep, page: PageDep) -> Paged[JobPublic]:
    """Newest first."""
    items, total = jobs.list(limit=page.limit, offset=page.offset)
    return Paged[JobPublic].of(items, limit=page.limit, offset=page.offset, total=total)


@router.get("/api/jobs/{job_id}", response_model=JobPublic, name="job", operation_id="get_job",
            dependencies=[ReadAccess],
            summary="导入任务状态 One ingestion job: progress, then its report",
            responses=problems.responses(401, 404, 422))
def job(jobs: JobsDep, job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]) -> JobPublic:
    found = jobs.get(job_id)
    if found is None:
        raise problems.NotFound(f"no job with id {job_id!r}")
    return found
