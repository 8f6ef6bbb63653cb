"""A real Neo4j Community 5.26 for tests and benchmarks.

Resolves ``org.neo4j:neo4j`` + ``org.neo4j:neo4j-bolt`` from Maven Central with
the machine's Maven (``tools/neo4j/pom.xml``), caches the jars outside the repo
(``$INNOGRAPH_NEO4J_CACHE``, default ``~/.cache/innograph/neo4j``), and runs
``tools/neo4j/Launcher.java``: an embedded ``DatabaseManagementService`` with
the Bolt connector on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tools" / "neo4j"
CACHE = Path(os.environ.get("INNOGRAPH_NEO4J_CACHE", Path.home() / ".cache" / "innograph" / "neo4j"))
PASSWORD = "innograph-test-password"


class Neo4jUnavailable(RuntimeError):
    """Neo4j could not be started here (no Java, no Maven, resolution failed …)."""


def find_java() -> str:
    """A Java 17 or 21 runtime (Neo4j 5.26 supports those), preferring JAVA_HOME."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    for pattern in ("java-21-openjdk*", "java-17-openjdk*", "temurin-21*", "temurin-17*"):
        candidates += sorted(Path("/usr/lib/jvm").glob(f"{pattern}/bin/java"))
    which = shutil.which("java")
    if which:
        candidates.append(Path(which))
    for c in candidates:
        if c.exists():
            return str(c)
    raise Neo4jUnavailable("no Java runtime found: install a JDK 17 or 21 (e.g. apt-get install openjdk-17-jdk-headless)")


def classpath() -> str:
    """Resolve the Neo4j jars once (cached by the pom's content) and return the classpath."""
    pom = TOOLS / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    out = CACHE / f"classpath-{digest}.txt"
    if out.exists() and all(Path(p).exists() for p in out.read_text().strip().split(os.pathsep)):
        return out.read_text().strip()
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jUnavailable("Maven (mvn) is not on the PATH: apt-get install maven")
    CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [mvn, "-B", "-q", "-f", str(pom), f"-Dmaven.repo.local={CACHE / 'm2'}",
           "dependency:build-classpath", f"-Dmdep.outputFile={out}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 or not out.exists():
        raise Neo4jUnavailable(f"Maven could not resolve Neo4j:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return out.read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Neo4jServer:
    """One Neo4j DBMS process; ``start()`` blocks until Bolt answers."""

    def __init__(self, home: Path, *, port: int | None = None, password: str | None = PASSWORD,
                 heap: str = "1g", pagecache_mb: int = 256) -> None:
        self.home = Path(home)
        self.port = port or free_port()
        self.password = password
        self.heap = heap
        self.pagecache_mb = pagecache_mb
        self.proc: subprocess.Popen[str] | None = None
        self.log_path = self.home / "launcher.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240.0) -> "Neo4jServer":
        java = find_java()
        cp = classpath()
        self.home.mkdir(parents=True, exist_ok=True)
        cmd = [java, f"-Xmx{self.heap}", f"-Dinnograph.pagecache.mb={self.pagecache_mb}",
               "-XX:+UseG1GC", "-cp", cp, str(TOOLS / "Launcher.java"), str(self.home), str(self.port)]
        if self.password:
            cmd.append(self.password)
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
        ready = threading.Event()

        def watch() -> None:
            assert self.proc and self.proc.stdout
            for line in self.proc.stdout:
                if line.startswith("READY"):
                    ready.set()

        threading.Thread(target=watch, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready.wait(0.2):
                return self
            if self.proc.poll() is not None:
                raise Neo4jUnavailable(f"Neo4j exited with {self.proc.returncode}; log:\n{self._tail()}")
        self.stop()
        raise Neo4jUnavailable(f"Neo4j did not start within {timeout:.0f}s; log:\n{self._tail()}")

    def _tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        return ""

    def stop(self, timeout: float = 60.0) -> None:
        """Clean shutdown: close standard input, then SIGTERM, then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert proc.stdin
            proc.stdin.close()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
