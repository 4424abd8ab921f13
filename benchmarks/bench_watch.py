"""Benchmark `prov watch` (issue 3): how long a file waits to be recorded, and how fast a burst
drains compared with `prov scan` on the same files, measured in the same run.

  paced    a running watcher while files are written at a realistic pace (default 200 files
           at 20 files/s, each in 4 chunks): latency from the writer closing a file to the
           watcher printing its record (stdout JSONL, printed after the commit); p50, p95, max.
           Goal: p95 <= quiet window + 1 s.
  burst    2,000 files moved in at once (a staging folder renamed into the watched one, the
           usual way deliveries land): time from the rename to the last record. Baseline:
           `prov scan` of the same folder into a fresh catalog, run right after. Goal: watch
           throughput >= 0.8x scan's, judged against `prov scan` as a user runs it (its wall
           time). Also reported, for reading: against scan without its start-up (a scan of
           an empty folder), the stricter comparison, since the watcher is already running.

Files are JPEGs of 64-256 KB (grain, every one different), one in four signed with the
project's own code (dev PKI in .bench/pki/). The corpus is built once into .bench/ and cached.
Prints a table and writes .bench/bench_watch.json.

    .venv/bin/python benchmarks/bench_watch.py [--paced 200] [--rate 20] [--burst 2000]
        [--quiet-window 2] [--polling] [--db postgresql+psycopg://...] [--rebuild]

`--db` takes a PostgreSQL URL to benchmark against instead of fresh SQLite files (each
catalog is then the URL's database as it is: use an empty one). Not a test; pass/fail is
only reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter
from sqlalchemy import Connection, create_engine, text

from provenance.c2pa_io import SigningKey, action, manifest_definition, sign_embedded
from provenance.devca import write_dev_pki

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"  # git-ignored
RESULT_FILE = BENCH_DIR / "bench_watch.json"
CORPUS_VERSION = 1
THROUGHPUT_GOAL = 0.8  # burst throughput / scan throughput (issue 3)
LATENCY_SLACK = 1.0  # p95 goal = quiet window + this (issue 3)
CHUNKS = 4
CHUNK_PAUSE = 0.005  # between a file's chunks: a copy in progress, not one write
SIGN_EVERY = 4


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the corpus (built once) ----------------------------------------------------------------


def corpus(count: int, *, rebuild: bool) -> Path:
    """A folder of `count` distinct JPEGs, one in SIGN_EVERY signed; cached in .bench/."""
    folder = BENCH_DIR / f"watch-corpus-v{CORPUS_VERSION}-{count}"
    if folder.is_dir() and not rebuild:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    pki = write_dev_pki(BENCH_DIR / "pki")
    key = SigningKey(pki.signer_chain.read_bytes(), pki.signer_key.read_bytes())
    scratch = BENCH_DIR / f"building-{folder.name}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    rng = random.Random(3)
    for index in range(count):
        _write_frame(scratch, index, rng, key if index % SIGN_EVERY == 0 else None)
        if (index + 1) % 500 == 0:
            log(f"  built {index + 1}/{count} files")
    scratch.rename(folder)  # only a finished corpus ever has the final name
    log(f"built {count} files in {time.perf_counter() - started:.0f} s into {folder}")
    return folder


def _write_frame(folder: Path, index: int, rng: random.Random, key: SigningKey | None) -> None:
    width = rng.randrange(440, 720, 8)
    size = (width, width * 3 // 4)
    grain = [Image.effect_noise(size, rng.uniform(40, 70)) for _ in "RGB"]
    image = Image.merge("RGB", grain).filter(ImageFilter.GaussianBlur(0.5))
    dest = folder / f"BW_{index:05d}.jpg"
    if key is None:
        image.save(dest, "JPEG", quality=90)
        return
    unsigned = folder / f"unsigned_{index}.jpg"
    image.save(unsigned, "JPEG", quality=90)
    source_type = "digitalCapture" if index % (2 * SIGN_EVERY) else "trainedAlgorithmicMedia"
    manifest = manifest_definition(
        dest.name, actions=[action("c2pa.created", digital_source_type=source_type)]
    )
    sign_embedded(unsigned, dest, manifest, key, media_type="image/jpeg")
    unsigned.unlink()


# -- a watcher process ----------------------------------------------------------------------


class Watcher:
    """`prov watch --jsonl` with the arrival time of each record on stdout."""

    def __init__(self, db: str, folder: Path, quiet_window: float, *, polling: bool) -> None:
        command = [sys.executable, "-m", "cli.main", "--db", db, "watch", "--jsonl"]
        command += ["--quiet-window", str(quiet_window), "--rescan-every", "0", str(folder)]
        if polling:
            command.append("--polling")
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        self.arrived: dict[str, float] = {}
        self.messages: list[str] = []
        self._caught_up = threading.Event()
        threading.Thread(target=self._stdout, daemon=True).start()
        threading.Thread(target=self._stderr, daemon=True).start()
        if not self._caught_up.wait(60):
            self.stop()
            raise SystemExit("the watcher did not start:\n" + "\n".join(self.messages))

    def _stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.arrived.setdefault(json.loads(line)["path"], time.time())

    def _stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.messages.append(line.rstrip())
            if "caught up" in line:
                self._caught_up.set()

    def wait_for(self, paths: Sequence[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while any(p not in self.arrived for p in paths):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                missing = sum(p not in self.arrived for p in paths)
                raise SystemExit(f"{missing} file(s) never recorded:\n" + "\n".join(self.messages))
            time.sleep(0.02)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


# -- the measures ---------------------------------------------------------------------------


@dataclass
class Latency:
    mode: str
    files: int
    rate: float
    quiet_window: float
    p50: float = 0.0
    p95: float = 0.0
    max: float = 0.0
    goal: float = 0.0
    met: bool = False


def paced(
    source: Path, work: Path, db: str, quiet_window: float, rate: float, *, polling: bool
) -> Latency:
    """Write the corpus into a watched folder at `rate` files/s; per-file latency."""
    folder = work / ("paced-polling" if polling else "paced")
    folder.mkdir()
    files = sorted(source.iterdir())
    datas = [path.read_bytes() for path in files]
    watcher = Watcher(db, folder, quiet_window, polling=polling)
    done: dict[str, float] = {}
    start = time.monotonic()
    for index, (path, data) in enumerate(zip(files, datas, strict=True)):
        time.sleep(max(0.0, start + index / rate - time.monotonic()))
        dest = folder / path.name
        _write_chunked(dest, data)
        done[os.path.abspath(dest)] = time.time()
    watcher.wait_for(list(done), timeout=60 + quiet_window * 4)
    watcher.stop()
    waits = sorted(watcher.arrived[path] - finished for path, finished in done.items())
    result = Latency("polling" if polling else "os events", len(waits), rate, quiet_window)
    result.p50, result.max = statistics.median(waits), waits[-1]
    result.p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
    result.goal = quiet_window + LATENCY_SLACK
    result.met = result.p95 <= result.goal
    return result


def _write_chunked(dest: Path, data: bytes) -> None:
    step = -(-len(data) // CHUNKS)
    with dest.open("wb") as out:
        for offset in range(0, len(data), step):
            out.write(data[offset : offset + step])
            out.flush()
            if offset + step < len(data):
                time.sleep(CHUNK_PAUSE)


@dataclass
class Burst:
    files: int
    megabytes: float
    quiet_window: float
    watch_seconds: float = 0.0
    scan_seconds: float = 0.0
    scan_startup_seconds: float = 0.0
    watch_files_per_s: float = 0.0
    scan_files_per_s: float = 0.0
    first_record_seconds: float = 0.0  # from the drop to the first record
    ratio: float = 0.0  # against `prov scan` wall time: the goal is judged on this
    ratio_scan_without_startup: float = 0.0
    met: bool = False


def burst(source: Path, work: Path, dbs: list[str], quiet_window: float) -> Burst:
    """Move a staging folder of the corpus into the watched folder at once, then scan the
    same files into a fresh catalog."""
    watched, staging = work / "burst", work / "staging" / "delivery_v001"
    watched.mkdir()
    shutil.copytree(source, staging)
    files = sorted(staging.iterdir())
    mb = sum(p.stat().st_size for p in files) / 1e6
    result = Burst(len(files), round(mb, 1), quiet_window)
    watcher = Watcher(dbs[0], watched, quiet_window, polling=False)
    landed = watched / staging.name
    dropped = time.time()
    staging.rename(landed)
    expected = [os.path.abspath(landed / p.name) for p in files]
    watcher.wait_for(expected, timeout=600)
    result.watch_seconds = max(watcher.arrived[p] for p in expected) - dropped
    result.first_record_seconds = min(watcher.arrived[p] for p in expected) - dropped
    watcher.stop()
    result.scan_seconds = _timed_scan(dbs[1], landed)
    empty = work / "empty"
    empty.mkdir()
    result.scan_startup_seconds = _timed_scan(dbs[2], empty)
    _rates(result)
    return result


def _timed_scan(db: str, folder: Path) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "cli.main", "--db", db, "-q", "scan", str(folder)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"prov scan failed:\n{done.stderr}")
    return time.perf_counter() - started


def _rates(result: Burst) -> None:
    """Throughput ratios; for the same files, a ratio of rates is a ratio of times."""
    result.watch_files_per_s = result.files / result.watch_seconds
    result.scan_files_per_s = result.files / result.scan_seconds
    result.ratio = result.scan_seconds / result.watch_seconds
    scan_work = result.scan_seconds - result.scan_startup_seconds
    result.ratio_scan_without_startup = scan_work / result.watch_seconds
    result.met = result.ratio >= THROUGHPUT_GOAL


# -- running and reporting ------------------------------------------------------------------


def catalogs(db: str | None, work: Path, count: int) -> list[str]:
    """One fresh catalog per measure: SQLite files in the run folder, or new schemas in the
    given PostgreSQL database (dropped by `drop_schemas`)."""
    if not db:
        return [f"sqlite:///{work / f'catalog-{n}.db'}" for n in range(count)]
    names = [f"bench_watch_{os.getpid()}_{n}" for n in range(count)]
    with _admin(db) as connection:
        for name in names:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in db else "?"
    return [f"{db}{separator}options=-csearch_path%3D{name}" for name in names]


def drop_schemas(db: str | None) -> None:
    if db:
        with _admin(db) as connection:
            for n in range(5):
                connection.execute(
                    text(f'DROP SCHEMA IF EXISTS "bench_watch_{os.getpid()}_{n}" CASCADE')
                )


@contextmanager
def _admin(db: str) -> Iterator[Connection]:
    engine = create_engine(db, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def report(latencies: list[Latency], result: Burst) -> None:
    print()
    print(f"{'latency (write closed -> record)':<36}{'files':>7}{'p50 s':>8}{'p95 s':>8}", end="")
    print(f"{'max s':>8}{'goal s':>8}  met")
    for lat in latencies:
        label = f"  {lat.mode}, {lat.rate:g} files/s"
        print(f"{label:<36}{lat.files:>7}{lat.p50:>8.2f}{lat.p95:>8.2f}{lat.max:>8.2f}", end="")
        print(f"{lat.goal:>8.1f}  {'yes' if lat.met else 'NO'}")
    print()
    print(f"burst: {result.files} files ({result.megabytes} MB) moved in at once")
    print(
        f"  watch  {result.watch_seconds:7.2f} s  {result.watch_files_per_s:7.1f} files/s "
        f"(first record after {result.first_record_seconds:.2f} s)"
    )
    print(
        f"  scan   {result.scan_seconds:7.2f} s  {result.scan_files_per_s:7.1f} files/s "
        f"(of which start-up {result.scan_startup_seconds:.2f} s)"
    )
    print(
        f"  ratio  {result.ratio:.2f} (goal >= {THROUGHPUT_GOAL}: "
        f"{'met' if result.met else 'NOT met'}); {result.ratio_scan_without_startup:.2f} "
        "against scan without its start-up"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paced", type=int, default=200, help="files written at --rate")
    parser.add_argument("--rate", type=float, default=20.0, help="files per second (paced)")
    parser.add_argument("--burst", type=int, default=2000, help="files moved in at once")
    parser.add_argument("--quiet-window", type=float, default=2.0, help="the watcher's option")
    parser.add_argument("--polling", action="store_true", help="also measure --polling latency")
    parser.add_argument("--db", help="a PostgreSQL URL instead of fresh SQLite catalogs")
    parser.add_argument("--rebuild", action="store_true", help="build the corpora again")
    args = parser.parse_args(argv)
    paced_source = corpus(args.paced, rebuild=args.rebuild)
    burst_source = corpus(args.burst, rebuild=args.rebuild)
    work = BENCH_DIR / "watch-run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    dbs = catalogs(args.db, work, 5)
    modes = [False, True] if args.polling else [False]
    try:
        latencies = [
            paced(paced_source, work, dbs[3 + n], args.quiet_window, args.rate, polling=polling)
            for n, polling in enumerate(modes)
        ]
        result = burst(burst_source, work, dbs[:3], args.quiet_window)
    finally:
        drop_schemas(args.db)
    report(latencies, result)
    document: dict[str, Any] = {
        "paced": [asdict(lat) for lat in latencies],
        "burst": asdict(result),
        "cpus": os.cpu_count(),
        "backend": "postgresql" if args.db else "sqlite",
    }
    RESULT_FILE.write_text(json.dumps(document, indent=1))
    log(f"wrote {RESULT_FILE.relative_to(ROOT)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
