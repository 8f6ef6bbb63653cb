"""Background ingestion jobs: one at a time per engine, the rest queued, progress you can poll.

An uploaded file is saved under ``<data_dir>/uploads/<job id>/<sanitised name>``
and handed to a worker thread, which runs the same loader as the CLI
(``ingest.pipeline.ingest_paths`` for xlsx/csv/jsonl, ``ingest.policy.load_policy``
for policy text) and stores its report. Job state is also written to
``<data_dir>/jobs/<id>.json``, so every worker process of the server can answer
for any job, and a job whose process died shows as ``interrupted``. A file lock
in the same folder keeps jobs of several worker processes from running at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import queue
import shutil
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from api.engine import EngineHolder
from api.models import JobProgress, JobPublic
from api.problems import PROBLEM_TYPE, Problem
from graph.errors import InnographError, InputError, QueryTimeout, StoreAuthError, StoreUnavailable
from graph.falkordb_store import pid_alive

log = logging.getLogger("innograph.api.jobs")

KEEP_JOBS = 200
#: jobs allowed to wait in the queue of one server process
MAX_QUEUED = 20
_PERSIST_EVERY = 0.5


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _report_dict(report: Any) -> dict[str, Any]:
    if report is None:
        return {}
    if hasattr(report, "model_dump"):
        return report.model_dump(mode="json")
    if isinstance(report, dict):
        return json.loads(json.dumps(report, default=str))
    return {"result": str(report)}


def _problem(exc: BaseException) -> Problem:
    if isinstance(exc, InputError):
        return Problem(type=PROBLEM_TYPE + "invalid-input", title="输入无效 Invalid input", status=422, detail=str(exc))
    if isinstance(exc, (StoreUnavailable, StoreAuthError)):
        return Problem(type=PROBLEM_TYPE + "engine-unavailable", title="图数据库暂不可用 Graph engine unavailable",
                       status=503, detail=str(exc))
    if isinstance(exc, QueryTimeout):
        return Problem(type=PROBLEM_TYPE + "query-timeout", title="查询超时 Query timed out", status=504,
                       detail=str(exc))
    if isinstance(exc, InnographError):
        return Problem(type=PROBLEM_TYPE + "ingest-failed", title="导入失败 Ingestion failed", status=500,
                       detail=f"{type(exc).__name__}: {exc}")
    return Problem(type=PROBLEM_TYPE + "internal", title="内部错误 Internal error", status=500,
                   detail="an unexpected error was logged on the server")


class _Job:
    def __init__(self, public: JobPublic, path: Path) -> None:
        self.public = public
        self.path = path
        self.last_persist = 0.0


Runner = Callable[[Any, Path, dict[str, Any], Callable[[int, int | None], None]], Any]


def default_runner(store: Any, path: Path, options: dict[str, Any],
                   progress: Callable[[int, int | None], None]) -> Any:
    """Load ``path`` with the CLI's loaders: policy text or a structured file."""
    if options.get("job_kind") == "policy":
        try:
            from ingest.policy import load_policy
        except ImportError:
            raise InputError("this installation cannot load policy text (ingest.policy is missing)") from None
        # provenance names the uploaded file, not the folder it waits in on the server
        return load_policy(store, path, source=path.name)
    from ingest.pipeline import ingest_paths

    return ingest_paths(store, [path], on_error=options["on_error"], batch_size=options["batch_size"],
                        progress=progress, kind=options.get("kind") or None)


class JobManager:
    """Queue and run ingestion jobs for one engine."""

    def __init__(self, engine: EngineHolder, data_dir: Path, *, runner: Runner = default_runner) -> None:
        self.engine = engine
        self.jobs_dir = Path(data_dir) / "jobs"
        self.uploads_dir = Path(data_dir) / "uploads"
        self.runner = runner
        self._jobs: dict[str, _Job] = {}
        self._pending: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.RLock()
        self._run_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # ------------------------------------------------------------------ submission

    def queued(self) -> int:
        """Jobs waiting (not yet running) in this process."""
        with self._lock:
            return len(self._pending)

    def new_upload_dir(self) -> tuple[str, Path]:
        """A fresh job id and the folder its upload is saved in."""
        job_id = uuid.uuid4().hex
        folder = self.uploads_dir / job_id
        folder.mkdir(parents=True, mode=0o700)
        return job_id, folder

    def submit(self, job_id: str, path: Path, *, kind: str, options: dict[str, Any]) -> JobPublic:
        """Queue the saved upload ``path`` as job ``job_id``."""
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        public = JobPublic(id=job_id, status="queued", kind=kind, file=path.name, options=options,  # type: ignore[arg-type]
                           created_at=_now())
        job = _Job(public, path)
        with self._lock:
            self._jobs[job_id] = job
            self._pending.append(job_id)
            self._persist(job, force=True)
            self._ensure_thread()
        self._queue.put(job_id)
        self._prune()
        return self.get(job_id)  # type: ignore[return-value]

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="innograph-jobs", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str) -> JobPublic | None:
        """A job by id: from this process, or from the job file another worker process wrote."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                pub = job.public.model_copy(deep=True)
                if pub.status == "queued" and job_id in self._pending:
                    pub.queue_position = self._pending.index(job_id)
                return pub
        return self._read_file(self.jobs_dir / f"{job_id}.json")

    def _read_file(self, path: Path) -> JobPublic | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        pid = data.pop("pid", None)
        try:
            pub = JobPublic.model_validate(data)
        except ValueError:
            return None
        if pub.status in ("queued", "running") and pid != os.getpid() and (pid is None or not pid_alive(pid)):
            pub.status = "interrupted"
            pub.error = Problem(type=PROBLEM_TYPE + "job-interrupted", title="任务中断 Job interrupted", status=500,
                                detail="the server process running this job stopped before it finished; "
                                       "upload the file again (loading is idempotent)")
        return pub

    def list(self, *, limit: int = 50, offset: int = 0) -> tuple[list[JobPublic], int]:
        """Recent jobs, newest first, and how many are known."""
        ids: dict[str, float] = {}
        if self.jobs_dir.exists():
            for p in self.jobs_dir.glob("*.json"):
                with contextlib.suppress(OSError):
                    ids[p.stem] = p.stat().st_mtime
        with self._lock:
            for job_id, job in self._jobs.items():
                ids[job_id] = job.public.created_at.timestamp()
        jobs = [j for j in (self.get(i) for i in ids) if j is not None]
        jobs.sort(key=lambda j: j.created_at, reverse=True)
        return jobs[offset:offset + limit], len(jobs)

    # ------------------------------------------------------------------ running

    @contextlib.contextmanager
    def exclusive(self, timeout: float | None = None) -> Iterator[bool]:
        """Hold the engine's write slot (in this process and across worker processes).

        Yields False (without holding it) when ``timeout`` passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._run_lock.acquire(timeout=-1 if timeout is None else timeout):
            yield False
            return
        try:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            with open(self.jobs_dir / "write.lock", "a+") as fh:
                while True:
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if deadline is not None and time.monotonic() > deadline:
                            yield False
                            return
                        time.sleep(0.1)
                try:
                    yield True
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            self._run_lock.release()

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            with self._lock:
                job = self._jobs.get(job_id)
            if job is None:
                continue
            try:
                self._run(job)
            except BaseException:  # noqa: BLE001 - the worker must survive any job
                log.exception("job %s crashed", job_id)

    def _run(self, job: _Job) -> None:
        with self.exclusive():
            with self._lock:
                if job.public.id in self._pending:
                    self._pending.remove(job.public.id)
                job.public.status = "running"
                job.public.started_at = _now()
                self._persist(job, force=True)

            def progress(done: int, total: int | None = None) -> None:
                with self._lock:
                    frac = None
                    if total:
                        frac = max(0.0, min(1.0, done / total))
                    job.public.progress = JobProgress(done=int(done), total=total, fraction=frac)
                    self._persist(job)

            try:
                store = self.engine.get(probe=True)
                options = {**job.public.options, "job_kind": job.public.kind}
                report = self.runner(store, job.path, options, progress)
                with self._lock:
                    job.public.report = _report_dict(report)
                    job.public.status = "succeeded"
                    total = job.public.progress.total or job.public.progress.done
                    job.public.progress = JobProgress(done=total, total=total, fraction=1.0)
            except BaseException as exc:  # noqa: BLE001 - every failure ends the job with a reason
                if not isinstance(exc, (InnographError,)):
                    log.exception("job %s failed", job.public.id)
                with self._lock:
                    job.public.status = "failed"
                    job.public.error = _problem(exc)
                    report = getattr(exc, "report", None)
                    if report is not None:
                        job.public.report = _report_dict(report)
            finally:
                with self._lock:
                    job.public.finished_at = _now()
                    self._persist(job, force=True)
                shutil.rmtree(job.path.parent, ignore_errors=True)

    # ------------------------------------------------------------------ persistence

    def _persist(self, job: _Job, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - job.last_persist < _PERSIST_EVERY:
            return
        job.last_persist = now
        data = job.public.model_dump(mode="json")
        data["pid"] = os.getpid()
        target = self.jobs_dir / f"{job.public.id}.json"
        tmp = target.with_suffix(".tmp")
        try:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            log.warning("could not write job file %s", target, exc_info=True)

    def _prune(self) -> None:
        try:
            files = sorted(self.jobs_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return
        for old in files[:-KEEP_JOBS]:
            with contextlib.suppress(OSError):
                old.unlink()
        with self._lock:
            finished = [i for i, j in self._jobs.items() if j.public.status not in ("queued", "running")]
            for job_id in finished[:-KEEP_JOBS]:
                del self._jobs[job_id]

    def wait(self, job_id: str, timeout: float = 60.0) -> JobPublic | None:
        """Block until the job ends (tests, scripts); the job as it ended, or as it is at the time-out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(job_id)
            if job is None or job.status not in ("queued", "running"):
                return job
            time.sleep(0.05)
        return self.get(job_id)

    def shutdown(self) -> None:
        """Stop taking jobs; the running one finishes in its daemon thread or dies with the process."""
        self._stopping = True
        self._queue.put(None)
