"""What every command gets from the global options: settings, and the catalog on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from provenance.analyze import Analyzer
from provenance.c2pa_io import ReaderSettings
from provenance.config import Settings, read_trust_anchors
from store.db import Catalog, open_catalog


@dataclass
class AppContext:
    settings: Settings
    db: str | None = None
    trust_anchors: Path | None = None
    debug: bool = False
    quiet: bool = False
    _catalog: Catalog | None = field(default=None, repr=False)

    def catalog(self) -> Catalog:
        """Open (create or upgrade) the catalog once per command."""
        if self._catalog is None:
            self._catalog = open_catalog(self.db or self.settings.db)
        return self._catalog

    def analyzer(self) -> Analyzer:
        anchors = self.trust_anchors or self.settings.trust_anchors
        pem = read_trust_anchors(anchors) if anchors else None
        return Analyzer(ReaderSettings(trust_anchors_pem=pem))

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.dispose()
            self._catalog = None
