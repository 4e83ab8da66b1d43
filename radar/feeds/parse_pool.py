"""Parsing feed documents in worker processes, so a big refresh parses on every core.

feedparser is pure Python: in threads, parsing holds the GIL and runs on one core while
the event loop and the SQLite writer wait for it. A `ParsePool` hands documents to a few
worker processes and returns a `concurrent.futures.Future` per document.

Each worker is a fresh interpreter that imports only radar.feeds.parse (not the CLI, as
a multiprocessing "spawn" or "forkserver" worker would by re-importing ``__main__``;
"fork" is unsafe in a process with an event loop and threads), reads jobs from its
stdin and writes results to its stdout. When radar exits, however it exits (SIGKILL
included), the worker's stdin closes and it ends; a ProcessPoolExecutor worker would
keep waiting on its queue.

Results are exactly those of `parse_feed` in the parent: a `ParsedFeed`, or the same
`FeedError`. Any other failure (a parser bug, memory exhaustion, a worker that died or
could not start) makes the parent parse that document itself, so whatever it raises is
raised as it would be without a pool.
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import IO, Any, cast

from radar.errors import FeedError
from radar.feeds.model import ParsedFeed
from radar.feeds.parse import parse_feed

_FRAME_HEADER = struct.Struct(">Q")
MAX_RESTARTS = 2
"""A worker that dies or fails to start this many times is not started again."""
_WORKER_CODE = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from radar.feeds.parse_pool import serve; serve()"
)


def default_workers() -> int:
    """CPUs this process may run on (its affinity mask, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass
class _Job:
    content: bytes
    url: str
    headers: dict[str, str]
    future: Future[ParsedFeed]


class ParsePool:
    """Worker processes that run `parse_feed`; started at the first document, not before.

    Use as a context manager (or call `close`): the workers end when it closes.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("a parse pool needs at least one worker")
        self.workers = workers
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(
        self, content: bytes, *, url: str, headers: Mapping[str, str] | None = None
    ) -> Future[ParsedFeed]:
        """Parse a document in a worker; the future holds what `parse_feed` gives or raises."""
        future: Future[ParsedFeed] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("parse pool is closed")
            if not self._threads:
                self._start()
            self._jobs.put(_Job(content, url, dict(headers or {}), future))
        return future

    def _start(self) -> None:
        for number in range(self.workers):
            # One thread per worker process waits on its pipe (without the GIL), so the
            # caller's threads and event loop never block on a worker.
            thread = threading.Thread(
                target=self._serve_jobs, name=f"radar-parse-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _serve_jobs(self) -> None:
        worker = _Worker()
        try:
            while (job := self._jobs.get()) is not None:
                if not job.future.set_running_or_notify_cancel():
                    continue
                try:
                    parsed = worker.parse(job)
                except BaseException as exc:  # the caller gets it, as parse_feed would raise it
                    job.future.set_exception(exc)
                else:
                    job.future.set_result(parsed)
                finally:
                    job = None  # drop the document before waiting for the next
        finally:
            worker.stop()

    def close(self) -> None:
        """End the workers after the documents in hand; those not yet started are cancelled."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while True:
                try:
                    waiting = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if waiting is not None:
                    waiting.future.cancel()
            for _ in self._threads:
                self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Worker:
    """One worker process, (re)started when needed, and its side of the pipe protocol."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.failures = 0

    def parse(self, job: _Job) -> ParsedFeed:
        reply = self._ask(job) if self._ensure_started() else None
        if reply is not None and reply[0] == "ok":
            return cast(ParsedFeed, reply[1])  # what the worker sends back for a job
        if reply is not None and reply[0] == "feed_error":
            raise FeedError(reply[1], reply[2])
        return parse_feed(job.content, url=job.url, headers=job.headers)

    def _ensure_started(self) -> bool:
        if self.process is not None:
            return True
        if self.failures >= MAX_RESTARTS:
            return False
        search_path = [entry for entry in sys.path if isinstance(entry, str)]
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, json.dumps(search_path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError):
            self.failures += 1
            return False
        return True

    def _ask(self, job: _Job) -> tuple[Any, ...] | None:
        """Send one job and wait for its reply; None when the worker is gone."""
        assert self.process is not None and self.process.stdin and self.process.stdout
        request = pickle.dumps((job.content, job.url, job.headers), pickle.HIGHEST_PROTOCOL)
        try:
            _write_frame(self.process.stdin, request)
            frame = _read_frame(self.process.stdout)
            if frame is None:
                raise EOFError("parse worker exited")
            reply: tuple[Any, ...] = pickle.loads(frame)
        except Exception:  # a broken pipe, a worker that died, a garbled reply
            self.failures += 1
            self.stop()
            return None
        return reply

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            try:
                if pipe:
                    pipe.close()
            except OSError:
                pass
        try:
            process.wait(timeout=5)  # its stdin is closed: it ends after the job in hand
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_FRAME_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_FRAME_HEADER.size)
    if len(header) < _FRAME_HEADER.size:
        return None
    (size,) = _FRAME_HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload


def serve() -> None:
    """A worker's loop: a job from stdin, its reply to stdout, until stdin closes."""
    import signal

    # Ctrl-C reaches the whole process group; the parent decides, and closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    jobs = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    # Anything else printed must not land in the reply stream.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)

    try:
        while (frame := _read_frame(jobs)) is not None:
            content, url, headers = pickle.loads(frame)
            reply: tuple[Any, ...]
            try:
                reply = ("ok", parse_feed(content, url=url, headers=headers))
            except FeedError as exc:
                reply = ("feed_error", exc.kind, exc.message)
            except Exception as exc:  # the parent parses it again and raises it there
                reply = ("failed", repr(exc)[:500])
            del content, frame
            _write_frame(replies, pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # radar went away
