"""`prov watch DIR...`: record files as they land in delivery folders (issue 3).

Options in, one watcher built from provenance.watch (observer, settle tracker, loop) and
store.watch.callbacks (the catalog side), changes out: one line per change on stdout, diagnostics
on stderr. Signal handlers only set the loop's stop event.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cli.context import AppContext
from cli.errors import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, fail
from cli.output import json_line, printable
from provenance.policy import FolderRole
from provenance.watch.events import FolderObserver, WatchEvent, distinct_roots
from provenance.watch.ignore import IgnoreRules
from provenance.watch.loop import LoopTiming, WatchLoop
from provenance.watch.settle import SettleTracker
from store.watch.callbacks import WatchGlue, WatchSetup, limit_lock_wait
from store.watch.changes import MISSING, MOVED, Change, reconcile
from store.watch.heartbeats import HEARTBEAT_EVERY, WatcherInfo

ROLES = ("final", "wip", "temp", "ideation")
DEFAULT_RESCAN_EVERY = 3600.0
# A closed file is read once it has stayed unchanged this long after its close event: long
# enough for the events of a rewrite that began before a late close to reach us (settle.py).
CLOSE_GRACE = 0.2


@click.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--role",
    type=click.Choice(ROLES, case_sensitive=False),
    help="What the folders hold (recorded with the watcher; used by the risk policy).",
)
@click.option("--once", is_flag=True, help="Reconcile the folders with the catalog and exit.")
@click.option("--jsonl", is_flag=True, help="One JSON record per change on stdout.")
@click.option(
    "--quiet-window",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="A file counts as complete once its size and mtime stop changing for this long "
    "(or at once when the writer closes it, where the OS says so).",
)
@click.option(
    "--polling",
    is_flag=True,
    help="List the folders every second instead of OS events: for NFS/SMB mounts written "
    "by other hosts, where inotify sees nothing.",
)
@click.option(
    "--ignore",
    "extra_ignores",
    multiple=True,
    metavar="GLOB",
    help="Also ignore file or folder names matching GLOB (repeatable). Always ignored: "
    "*.part *.tmp *.crdownload .~*, dotfiles, and prov's own files (the catalog, prov.toml, "
    "key files).",
)
@click.option(
    "--rescan-every",
    type=click.FloatRange(min=0),
    default=DEFAULT_RESCAN_EVERY,
    show_default=True,
    metavar="SECONDS",
    help="Reconcile the folders again this often, for events the OS missed (0: never).",
)
@click.option(
    "--fetch-remote",
    is_flag=True,
    help="Fetch manifests that files only reference by URL (bounded), as `prov scan "
    "--fetch-remote` and `[trust] fetch_remote = true` do.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Walk into symlinked folders when catching up, but only those inside FOLDERS; a "
    "symlink never leads out of them (a file symlink to outside is recorded `unsupported`).",
)
@click.pass_obj
def watch(
    app: AppContext,
    folders: tuple[Path, ...],
    role: str | None,
    once: bool,
    jsonl: bool,
    quiet_window: float,
    polling: bool,
    extra_ignores: tuple[str, ...],
    rescan_every: float,
    fetch_remote: bool,
    follow_symlinks: bool,
) -> None:
    """Watch FOLDERS and record every file once it is completely written.

    On start, files added, changed or deleted while no watcher ran are caught up (the same
    work as `prov scan`; unchanged files are not read again). Then:

    \b
      * a file is recorded once it has settled: closed after writing, or its size and
        mtime unchanged for --quiet-window; partial names (*.part, *.tmp, *.crdownload,
        dotfiles) wait until they are renamed to their real name;
      * a rename keeps the content's identity: the new path gets a version with the same
        SHA-256, the old one is marked missing and points to the new one;
      * a deleted file is marked missing (its history stays);
      * a .c2pa sidecar arriving before or after its asset makes the asset be read again;
      * while the catalog is unavailable, files wait and are retried: nothing is lost.

    Each change is one line on stdout: the change, status, genAI involvement, genAI risk
    and path (a JSON record with --jsonl, the record `prov scan --jsonl` prints); messages
    go to stderr. Ctrl-C or SIGTERM finishes the file in hand
    and exits 0. `prov status` lists running watchers.

    \b
    Examples:
      prov watch /mnt/deliveries/incoming
      prov watch --role final --jsonl /mnt/vfx/finals > finals.jsonl
      prov --db postgresql+psycopg://prov@catalog/prov watch --polling /mnt/nfs/drop
      prov watch --once deliveries/     # catch up and exit, like `prov scan`
    """
    roots = _watched_roots(folders)
    ignore = _ignore(app, extra_ignores)
    app.writer_catalog()  # created if new; a broken log head stops the watcher before it writes
    printer = _Printer(jsonl=jsonl)
    options = _Options(
        role.lower() if role else None,
        quiet_window,
        polling,
        rescan_every or None,
        fetch_remote,
        follow_symlinks,
    )
    if once:
        _reconcile_once(app, roots, ignore, printer, options)
    click.get_current_context().exit(_run(app, roots, ignore, printer, options))


def _watched_roots(folders: tuple[Path, ...]) -> list[Path]:
    """Absolute, normalised, symlinks kept: the form the observer reports paths in."""
    bad = [str(folder) for folder in folders if not folder.is_dir()]
    if bad:
        fail(f"not a folder: {', '.join(bad)}", hint="watch existing folders", code=EXIT_USAGE)
    return distinct_roots(Path(os.path.abspath(folder)) for folder in folders)


def _ignore(app: AppContext, extra: tuple[str, ...]) -> IgnoreRules:
    """--ignore plus the defaults and the catalog's own files (issue 8: `prov watch .` beside
    prov.db never records prov.db-wal)."""
    try:
        return app.ignore_rules(extra)
    except ValueError as exc:
        fail(f"--ignore: {exc}", hint="give a file-name glob such as '*.mov'", code=EXIT_USAGE)


class _Printer:
    """Changes to stdout: a JSON record each, or a short line; failures repeated on stderr."""

    def __init__(self, *, jsonl: bool) -> None:
        self._jsonl = jsonl

    def __call__(self, change: Change) -> None:
        record = change.record
        if self._jsonl:
            extra = {"moved_from": change.moved_from} if change.moved_from else {}
            click.echo(json_line({**record, **extra}))
        else:
            click.echo(printable(_human_line(change)))
        if change.kind != MISSING and record.get("status") in ("unreadable", "error"):
            line = f"{record['status']}: {record['path']}: {record.get('reason')}"
            click.echo(printable(line), err=True)


def _human_line(change: Change) -> str:
    record = change.record
    status = "-" if change.kind == MISSING else record.get("status", "-")
    involvement = "-" if change.kind == MISSING else record.get("ai", {}).get("involvement", "-")
    risk = "-" if change.kind == MISSING else _risk(record)
    line = f"{change.kind:<9} {status:<14} {involvement:<9} {risk:<17} {_shown(record['path'])}"
    if change.kind == MOVED and change.moved_from:
        line += f"  (from {_shown(change.moved_from)})"
    return line


def _risk(record: dict[str, Any]) -> str:
    """The genAI risk outcome (issue 8); `unclassified` fails every gate, so it is said."""
    risk = record.get("risk")
    if not isinstance(risk, dict):
        return "-"  # a folder that could not be listed has no risk
    return str(risk.get("outcome") or "unclassified")


def _shown(path: str) -> str:
    """Relative to the current folder when below it, like `prov ls`; else absolute."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _reconcile_once(
    app: AppContext,
    roots: list[Path],
    ignore: IgnoreRules,
    printer: _Printer,
    options: _Options,
) -> None:
    """--once: catch up and exit; 1 when a file failed or a folder could not be listed, like
    `prov scan`."""
    summary = reconcile(
        roots,
        catalog=app.catalog(create=True),
        analyzer=app.analyzer(fetch_remote=options.fetch_remote),
        ignore=ignore,
        report=printer,
        policy=app.policy_inputs(),
        follow_symlinks=options.follow_symlinks,
    )
    for line in summary.failure_lines():
        click.echo(printable(line), err=True)
    if not app.quiet:
        for line in summary.lines():
            click.echo(line, err=True)
    click.get_current_context().exit(EXIT_FAILURES if summary.failed else EXIT_OK)


@dataclass(frozen=True)
class _Options:
    role: str | None
    quiet_window: float
    polling: bool
    rescan_every: float | None  # None: no periodic rescan
    fetch_remote: bool = False  # --fetch-remote
    follow_symlinks: bool = False  # --follow-symlinks


def _run(
    app: AppContext,
    roots: list[Path],
    ignore: IgnoreRules,
    printer: _Printer,
    options: _Options,
) -> int:
    """Start the observer, then catch up (the loop's first action), then watch until stopped."""
    limit_lock_wait(app.catalog(create=True))
    events: queue.Queue[WatchEvent] = queue.Queue()
    setup = _setup(app, roots, ignore, printer, options, events, threading.Event())
    glue = WatchGlue(setup)
    loop = _loop(setup, glue, options)
    stop = setup.stop_event
    observer = FolderObserver(roots, events, polling=options.polling)
    with _stop_on_signals(stop) as received:
        _start(observer, roots)
        try:
            _info(app, _watching_line(roots, options))
            glue.register()
            loop.run()
        finally:
            observer.stop()
            observer.join()
        glue.stop()
    _info(app, f"stopped ({received[0] if received else 'done'}): {glue.ingested} file(s) recorded")
    return EXIT_OK


def _loop(setup: WatchSetup, glue: WatchGlue, options: _Options) -> WatchLoop:
    tracker = SettleTracker(
        quiet_window=options.quiet_window,
        close_grace=CLOSE_GRACE,
        stat=setup.settled.stat,
        # mtimes tell how long a file has been quiet only where this host's clock set them;
        # a file server's clock may run behind (settle.py).
        mtime_clock=None if options.polling else time.time,
    )
    timing = LoopTiming(
        rescan_every=options.rescan_every, rescan_on_start=True, heartbeat_every=HEARTBEAT_EVERY
    )
    return WatchLoop(
        setup.events,
        tracker,
        glue.callbacks(),
        ignore=setup.ignore,
        timing=timing,
        stop_event=setup.stop_event,
    )


def _setup(
    app: AppContext,
    roots: list[Path],
    ignore: IgnoreRules,
    printer: _Printer,
    options: _Options,
    events: queue.Queue[WatchEvent],
    stop: threading.Event,
) -> WatchSetup:
    info = WatcherInfo.for_this_process([str(root) for root in roots], options.role)
    return WatchSetup(
        catalog=app.catalog(create=True),
        analyzer=app.analyzer(fetch_remote=options.fetch_remote),
        info=info,
        events=events,
        stop_event=stop,
        report=printer,
        notify=lambda message: click.echo(printable(f"watch: {message}"), err=True),
        ignore=ignore,
        quiet_window=options.quiet_window,
        policy=app.policy_inputs(role=FolderRole(options.role) if options.role else None),
        follow_symlinks=options.follow_symlinks,
    )


def _start(observer: FolderObserver, roots: list[Path]) -> None:
    try:
        observer.start()
    except OSError as exc:
        fail(
            f"cannot watch {', '.join(map(str, roots))}: {exc.strerror or exc}",
            hint="raise fs.inotify.max_user_watches, or use --polling (network mounts too)",
        )


def _watching_line(roots: list[Path], options: _Options) -> str:
    how = "polling" if options.polling else "OS events"
    return (
        f"watching {', '.join(map(str, roots))} ({how}, quiet window "
        f"{options.quiet_window:g} s); Ctrl-C to stop"
    )


def _info(app: AppContext, message: str) -> None:
    if not app.quiet:
        click.echo(printable(f"watch: {message}"), err=True)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[list[str]]:
    """SIGINT/SIGTERM only set the stop event: the loop finishes the file in hand, then returns.
    Yields the names of the signals received."""
    received: list[str] = []

    def handler(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
