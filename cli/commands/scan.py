"""`prov scan PATH...`: record every file under the given paths."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from cli.context import AppContext
from cli.errors import EXIT_FAILURES, EXIT_OK, fail
from cli.output import json_line, printable
from store.ingest import (
    RunSummary,
    UnreadableFolder,
    declarations_first,
    forget_gone_declarations,
    ingest_batches,
    iter_files,
    real_roots,
    scan_targets,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jsonl", is_flag=True, help="Stream one JSON record per file to stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary (as `prov -q`).")
@click.option(
    "--force", is_flag=True, help="Re-read every file, even if unchanged since last scan."
)
@click.option(
    "--ignore",
    "extra_ignores",
    multiple=True,
    metavar="GLOB",
    help="Also skip file or folder names matching GLOB (repeatable; '*.part', dotfiles, "
    "... are always skipped).",
)
@click.option(
    "--fetch-remote",
    is_flag=True,
    help="Fetch manifests that files only reference by URL (http/https, 10 s timeout, "
    "16 MiB cap), as `[trust] fetch_remote = true` does. Off by default: reading is offline.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Walk into symlinked folders, but only those inside the PATHs given; a symlink "
    "never leads out of them (a file symlink to outside is recorded `unsupported`, unread).",
)
@click.pass_obj
def scan(
    app: AppContext,
    paths: tuple[Path, ...],
    jsonl: bool,
    force: bool,
    extra_ignores: tuple[str, ...],
    quiet: bool,
    fetch_remote: bool,
    follow_symlinks: bool,
) -> None:
    """Record every file under PATHS (recursively) in the catalog.

    Each file is hashed (SHA-256), its media type sniffed, its C2PA Content Credentials read
    (embedded, and from a `<name>.c2pa` sidecar beside it: both when it has both) and
    checked, and its generative-AI involvement worked out from the evidence of every
    reading. Unchanged files (same size, mtime and inode) are not read again; changed
    content is kept as a new version. Remote-only manifests are fetched only with
    --fetch-remote (or `[trust] fetch_remote = true`); use --force to re-read files
    already catalogued.

    Exit status: 0 when every file was recorded (files without credentials included),
    1 when any file ended `unreadable` or `error`, or a folder could not be listed (listed
    on stderr; with --jsonl a folder gets a record of kind "folder"), 2 for usage errors,
    130 when interrupted (Ctrl-C): the files recorded until then are kept, and counted on
    stderr; the batch being read is not, and the next scan picks up where this one stopped.

    \b
    Examples:
      prov scan deliveries/
      prov --db postgresql+psycopg://postgres@127.0.0.1/test scan /mnt/vfx --jsonl
    """
    app.quiet = app.quiet or quiet
    missing = [str(path) for path in paths if not path.exists() and not path.is_symlink()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}", hint="check the path", code=2)
    try:
        ignore = app.ignore_rules(extra_ignores)  # and the catalog's own files (issue 8)
    except ValueError as exc:
        fail(f"--ignore: {exc}", hint="give a file-name glob such as '*.mov'", code=2)
    policy = app.policy_inputs()  # issue 4: a bad policy file stops the scan before any file
    catalog, analyzer = app.writer_catalog(), app.analyzer(fetch_remote=fetch_remote)
    unreadable: list[UnreadableFolder] = []
    listed = iter_files(paths, ignore, unreadable=unreadable, follow_symlinks=follow_symlinks)
    targets = declarations_first(scan_targets(listed))
    summary = RunSummary()
    for folder in unreadable:  # issue 7: a folder that cannot be listed fails the scan
        summary.add_folder(folder)
        if jsonl:
            click.echo(json_line(folder.record()))
    batches = ingest_batches(
        targets,
        catalog=catalog,
        analyzer=analyzer,
        force=force,
        policy=policy,
        roots=real_roots(paths),
    )
    with (
        _progress(len(targets), quiet=app.quiet) as advance,
        _interrupted(summary) as recorded,
        _CtrlC() as ctrl_c,
    ):
        for batch in batches:
            recorded[0] += len(batch)  # first: every file of a batch is committed together
            for outcome in batch:
                summary.add(outcome)
                if jsonl:
                    click.echo(json_line(outcome.record))
                advance(Path(outcome.path))
            ctrl_c.stop_here()
        # Declaration files deleted since the last scan: what they covered is judged
        # without them.
        for outcome in forget_gone_declarations(paths, catalog=catalog, policy=policy):
            summary.add(outcome)
            if jsonl:
                click.echo(json_line(outcome.record))
    _print_summary(summary, quiet=app.quiet)
    click.get_current_context().exit(EXIT_FAILURES if summary.failed else EXIT_OK)


@contextmanager
def _interrupted(summary: RunSummary) -> Iterator[list[int]]:
    """Ctrl-C says how many files are recorded: those of the batches committed so far (the
    batch being read is rolled back), counted as each batch arrives. cli/main.py prints it
    after `interrupted:` and exits 130."""
    recorded = [0]
    try:
        yield recorded
    except KeyboardInterrupt:
        for line in summary.failure_lines():
            click.echo(line, err=True)
        detail = f"{recorded[0]:,} file(s) recorded; run the scan again to finish"
        raise KeyboardInterrupt(detail) from None


class _CtrlC:
    """Ctrl-C during a scan stops it at the next committed batch (at most BATCH_SECONDS of
    reading away), so the count `_interrupted` says is exactly what the catalog holds: a
    KeyboardInterrupt raised between a batch's commit and its count would say too few.
    A second Ctrl-C stops at once. Only the main thread can take signals (CliRunner in a
    worker thread): there, Ctrl-C keeps Python's default."""

    def __init__(self) -> None:
        self.pressed = False
        self._previous: Any = None

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._press)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _press(self, _signum: int, _frame: Any) -> None:
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True

    def stop_here(self) -> None:
        if self.pressed:
            raise KeyboardInterrupt


@contextmanager
def _progress(total: int, *, quiet: bool) -> Iterator[callable]:  # type: ignore[valid-type]
    if quiet or total < 2:
        yield lambda _path: None
        return
    # Imported only when a bar may be shown: a quiet run (scripts, the benchmark) should not
    # pay rich's import time.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _path: None
        return
    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda path: progress.update(task, advance=1, description=printable(path.name)[-40:])


def _print_summary(summary: RunSummary, *, quiet: bool) -> None:
    for line in summary.failure_lines():
        click.echo(printable(line), err=True)
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)
