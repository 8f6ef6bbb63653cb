"""The API's handle on the graph engine: opened at start-up, reopened when it comes back.

A dead engine must turn into a quick ``503`` with ``Retry-After``, not into
requests that each wait for a connection time-out (a Neo4j driver retries an
unreachable server for about 15 s before it gives up). Two things see to that:

- a circuit breaker: after a request (or a probe) finds the engine unreachable,
  requests are answered "unavailable" at once for a short cool-down;
- a watchdog thread that pings the engine every ``interval`` seconds (a ping
  fails at once where a query would retry), opening the breaker when the ping
  fails or hangs past ``stall`` seconds, and closing it when the engine answers.

When the app owns the store and the engine was down at start-up, the store is
opened on first use (or by the watchdog) instead, so the API still starts and
``/ready`` says what is wrong.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from graph.errors import StoreAuthError, StoreUnavailable
from graph.store import GraphStore

log = logging.getLogger("innograph.api")


class EngineHolder:
    """Owns (or borrows) the store; knows whether the engine answered lately."""

    def __init__(self, opener: Callable[[], GraphStore] | None, store: GraphStore | None = None, *,
                 cooldown: float = 5.0, interval: float = 2.0, stall: float = 5.0) -> None:
        self._opener = opener
        self._store = store
        self.owns_store = store is None
        self.cooldown = cooldown
        self.interval = interval
        self.stall = stall
        self._down_until = 0.0
        self._down_reason = ""
        self._lock = threading.Lock()
        self._ping_started: float | None = None
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        #: called with the store once it is open (the app starts keeping its projection fresh)
        self.on_open: Callable[[GraphStore], None] | None = None

    # ------------------------------------------------------------------ state

    def mark_down(self, reason: str) -> None:
        """Record that the engine did not answer; callers get 503 at once until the cool-down ends."""
        with self._lock:
            self._down_until = time.monotonic() + self.cooldown
            self._down_reason = reason

    def mark_up(self) -> None:
        with self._lock:
            self._down_until = 0.0

    def down_for(self) -> float:
        """Seconds left in the cool-down (0 when requests may try the engine)."""
        started = self._ping_started
        if started is not None and time.monotonic() - started > self.stall:
            self.mark_down(f"no answer to a ping for {time.monotonic() - started:.0f} s")
        return max(0.0, self._down_until - time.monotonic())

    # ------------------------------------------------------------------ watchdog

    def start_watchdog(self) -> None:
        """Ping the engine every ``interval`` seconds in a daemon thread (until :meth:`close`)."""
        self._stop.clear()  # an app started again after a shutdown (tests re-enter one app)
        if self._watchdog is None and self.interval > 0:
            self._watchdog = threading.Thread(target=self._watch, name="innograph-engine-watchdog", daemon=True)
            self._watchdog.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                store = self._store if self._store is not None else self.get(probe=True)
                self._ping_started = time.monotonic()
                store.ping()
            except (StoreUnavailable, StoreAuthError) as exc:
                self.mark_down(str(exc))
            except Exception as exc:  # noqa: BLE001 - the watchdog must keep watching
                log.debug("engine ping failed", exc_info=True)
                self.mark_down(f"{type(exc).__name__}: {exc}")
            else:
                if self._down_until:
                    log.info("graph engine answers again")
                self.mark_up()
            finally:
                self._ping_started = None

    # ------------------------------------------------------------------ access

    def open(self) -> None:
        """Open the store now; an unreachable engine is remembered, not raised (the API still starts)."""
        self._stop.clear()
        try:
            self.get(probe=False)
        except StoreUnavailable as exc:
            log.warning("graph engine unavailable at start-up: %s", exc)

    def get(self, *, probe: bool = False) -> GraphStore:
        """The store, or :class:`StoreUnavailable` while the engine is known to be down.

        ``probe`` ignores the cool-down (``/ready`` always asks the engine).
        """
        if not probe:
            left = self.down_for()
            if left > 0:
                raise StoreUnavailable(f"the graph engine did not answer a moment ago ({self._down_reason}); "
                                       f"retrying in {left:.0f} s")
        if self._store is not None:
            return self._store
        with self._lock:
            if self._store is None:
                assert self._opener is not None
                try:
                    opened = self._opener()
                except StoreUnavailable as exc:
                    self._down_until = time.monotonic() + self.cooldown
                    self._down_reason = str(exc)
                    raise
                if self._stop.is_set():
                    # opened while the app shut down (a ping reopening it): nobody would close it
                    opened.close()
                    raise StoreUnavailable("the API is shutting down")
                self._store = opened
                if self.on_open is not None:
                    self.on_open(self._store)
        return self._store

    @property
    def store(self) -> GraphStore | None:
        """The store if it is open (no attempt to open it)."""
        return self._store

    def close(self) -> None:
        """Stop the watchdog; close the store if this holder opened it."""
        self._stop.set()
        if self._watchdog is not None:
            # a ping still running would share a connection with the store's close
            self._watchdog.join(timeout=self.stall)
            self._watchdog = None
        if self.owns_store and self._store is not None:
            try:
                self._store.close()
            except Exception:  # noqa: BLE001 - closing on shutdown must not raise
                log.debug("closing the store failed", exc_info=True)
            self._store = None


def describe(store: Any) -> dict[str, str]:
    caps = getattr(store, "capabilities", None)
    return {"engine": getattr(caps, "engine", "unknown"), "version": getattr(caps, "version", "unknown")}
