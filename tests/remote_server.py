"""Test helpers for remote manifests: an HTTP server on 127.0.0.1 (port 0) in a thread, and a
JPEG whose manifest only lives at a URL (signed by the dev CA, published by the test)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from provenance.c2pa_io import action, manifest_definition, sign_remote
from tests.conftest import DevPki, write_jpeg

GENERATED = "trainedAlgorithmicMedia"


@dataclass
class Served:
    """What the test server answers per path: (status, body, send Content-Length)."""

    routes: dict[str, tuple[int, bytes, bool]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


@dataclass
class Server:
    served: Served
    base: str

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def serve() -> Iterator[Server]:
    """A real HTTP server answering from a Served table, recording every request path."""
    served = Served()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            served.requests.append(self.path)
            if self.path in served.redirects:
                self.send_response(302)
                self.send_header("Location", served.redirects[self.path])
                self.end_headers()
                return
            status, body, with_length = served.routes.get(self.path, (404, b"not here", True))
            self.send_response(status)
            if with_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.close_connection = True  # the body ends when the connection does
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(served, f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def remote_only_jpeg(
    tmp_path: Path, dev_pki: DevPki, url: str, color: tuple[int, int, int] = (90, 120, 200)
) -> tuple[Path, bytes]:
    """A generated JPEG whose manifest only lives at `url`, and that manifest's bytes."""
    source = write_jpeg(tmp_path / "source.jpg", color)
    manifest = manifest_definition(
        "cloud.jpg",
        actions=[action("c2pa.created", digital_source_type=GENERATED, software_agent="Firefly")],
    )
    dest = tmp_path / "cloud.jpg"
    data = sign_remote(source, dest, manifest, dev_pki.key, media_type="image/jpeg", url=url)
    return dest, data
