"""Watching delivery folders (issue 3): settle detection, ignore rules, the watchdog adapter and
the DB-free loop that turns file-system events into `on_ready`/`on_moved`/`on_deleted` calls."""
