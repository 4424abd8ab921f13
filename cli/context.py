"""What every command gets from the global options: settings, the catalog on demand, and
what scan, watch and check never treat as assets (the catalog's own files among them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cli.errors import EXIT_USAGE, fail
from provenance.analyze import Analyzer
from provenance.c2pa_io import ReaderSettings
from provenance.config import Settings, read_trust_anchors
from provenance.policy import FolderRole, PolicyError, load_policy, load_tool_registry
from provenance.watch.ignore import IgnoreRules, ignore_globs
from store.audit.guard import require_head_intact, require_intact
from store.catalog.db import DEFAULT_DB_FILE, Catalog, catalog_files, open_catalog, resolve_url
from store.policy.classify import NO_PRODUCTION, PolicyInputs


@dataclass
class AppContext:
    settings: Settings
    db: str | None = None
    trust_anchors: Path | None = None
    debug: bool = False
    quiet: bool = False
    policy_file: Path | None = None  # --policy
    _catalog: Catalog | None = field(default=None, repr=False)

    def catalog(self, *, create: bool = False) -> Catalog:
        """Open (and upgrade) the catalog once per command. Only `scan` and `watch` pass
        create=True; for every other command a catalog that does not exist is a usage error
        (NoCatalog, exit 2) and no file is left behind (issue 7)."""
        if self._catalog is None:
            self._catalog = open_catalog(self.catalog_url(), create=create)
        return self._catalog

    def catalog_url(self) -> str:
        """--db / PROV_DB (relative to the current folder), else `[catalog] db` (relative to
        the prov.toml found), else prov.db beside that prov.toml, else prov.db here (issue 8:
        a command run in a subfolder never makes a second catalog there)."""
        if self.db:
            return resolve_url(self.db)
        return resolve_url(self.settings.db or DEFAULT_DB_FILE, base=self.settings.folder)

    def ignore_rules(self, extra: tuple[str, ...] = ()) -> IgnoreRules:
        """What scan, watch and check never treat as assets: the ignore globs plus `extra`
        (--ignore; ValueError names a bad one) and prov's own files, wherever they are: the
        open catalog's (a SQLite file and its -wal, -shm, -journal), the config file and the
        trust anchors in use (issue 8)."""
        own = [*catalog_files(self.catalog_url())]
        own += [p for p in (self.settings.source, self.trust_anchors_path()) if p is not None]
        return IgnoreRules.of(ignore_globs(extra), own)

    def trust_anchors_path(self) -> Path | None:
        """--trust-anchors, else `[trust] anchors` of the config file."""
        return self.trust_anchors or self.settings.trust_anchors

    def intact_catalog(self) -> Catalog:
        """The catalog, for a command that records a decision (classify, approve, reject,
        declare, reported): refused, with nothing written, when its audit log does not
        verify (store.audit.chain.require_intact: the whole chain and every audited row)."""
        catalog = self.catalog()
        with catalog.session() as session:
            require_intact(session)
        return catalog

    def writer_catalog(self) -> Catalog:
        """The catalog for `scan` and `watch`: created if new; refused when the head of its
        audit log does not check out (store.audit.guard.require_head_intact: a few queries,
        where a full verify would read every entry on every run)."""
        catalog = self.catalog(create=True)
        with catalog.session() as session:
            require_head_intact(session)
        return catalog

    def analyzer(self, *, fetch_remote: bool = False) -> Analyzer:
        """`fetch_remote` (--fetch-remote) or `[trust] fetch_remote` fetches remote-only
        manifests (bounded, provenance/remote.py); reading is offline otherwise."""
        anchors = self.trust_anchors_path()
        pem = read_trust_anchors(anchors) if anchors else None
        fetch = fetch_remote or self.settings.fetch_remote
        return Analyzer(ReaderSettings(trust_anchors_pem=pem, fetch_remote_manifests=fetch))

    def policy_inputs(self, *, role: FolderRole | None = None) -> PolicyInputs:
        """The policy, tool registry and production config for this command, read once.
        A bad file stops the command (exit 2) before anything is classified (issue 4)."""
        try:
            return PolicyInputs(
                policy=load_policy(self.policy_path()),
                tools=load_tool_registry(self.settings.tools_file),
                production=self.settings.production or NO_PRODUCTION,
                role=role,
            )
        except PolicyError as exc:
            fail(str(exc), hint=_POLICY_HINT, code=EXIT_USAGE)

    def policy_path(self) -> Path | None:
        """--policy, else `[policy] file` of the config, else None (the shipped policy)."""
        return self.policy_file or self.settings.policy_file

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.dispose()
            self._catalog = None


_POLICY_HINT = "fix the file (docs/policy.md has the formats); `prov policy validate` checks it"
