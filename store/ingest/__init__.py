"""Files on disk into the catalog: the one pipeline (pipeline.py), the one writer (writer.py,
rows.py), the file walk (walk.py) and what a run came to (outcome.py)."""

from store.ingest.outcome import CatalogUnavailable, IngestAction, IngestOutcome, RunSummary
from store.ingest.pipeline import (
    forget_gone_declarations,
    ingest_batches,
    ingest_many,
    ingest_path,
)
from store.ingest.walk import (
    UnreadableFolder,
    UnreadableFolderError,
    declarations_first,
    iter_files,
    real_roots,
    scan_targets,
)

__all__ = [
    "CatalogUnavailable",
    "IngestAction",
    "IngestOutcome",
    "RunSummary",
    "UnreadableFolder",
    "UnreadableFolderError",
    "declarations_first",
    "forget_gone_declarations",
    "ingest_batches",
    "ingest_many",
    "ingest_path",
    "iter_files",
    "real_roots",
    "scan_targets",
]
