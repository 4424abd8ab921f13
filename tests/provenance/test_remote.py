"""Remote-only manifests (issue 7): never fetched by default; fetched, bounded and validated as
the asset's own when asked to. A real HTTP server on 127.0.0.1 serves a manifest signed by the
dev CA; c2pa-python reads the remote-only JPEG for real."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.analyze import Analyzer, analyze_file
from provenance.c2pa_io import ReaderSettings
from provenance.model import CredentialLocation, FileStatus, Involvement, Strength
from provenance.remote import FetchError, FetchLimits, fetch_manifest
from tests.conftest import DevPki
from tests.remote_server import GENERATED, Server, remote_only_jpeg, serve


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment would take the requests away from 127.0.0.1.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that accepts connections (the kernel does, from the backlog) and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/manifest.c2pa"
    finally:
        listener.close()


def fetching(limits: FetchLimits | None = None) -> Analyzer:
    return Analyzer(
        ReaderSettings(fetch_remote_manifests=True), fetch_limits=limits or FetchLimits()
    )


def test_remote_manifest_is_not_fetched_by_default(
    server: Server, tmp_path: Path, dev_pki: DevPki
) -> None:
    url = server.url("/m/cloud.c2pa")
    path, data = remote_only_jpeg(tmp_path, dev_pki, url)
    server.served.routes["/m/cloud.c2pa"] = (200, data, True)
    report = analyze_file(path, analyzer=Analyzer())
    assert report.status is FileStatus.OK
    assert report.credentials.location is CredentialLocation.REMOTE
    assert report.credentials.remote_url == url
    assert report.credentials.validation_state is None
    assert report.ai.involvement is Involvement.UNKNOWN
    assert server.served.requests == []  # nothing reached the server


def test_fetched_remote_manifest_is_validated_as_the_files_own(
    server: Server, tmp_path: Path, dev_pki: DevPki
) -> None:
    url = server.url("/m/cloud.c2pa")
    path, data = remote_only_jpeg(tmp_path, dev_pki, url)
    server.served.routes["/m/cloud.c2pa"] = (200, data, True)
    report = analyze_file(path, analyzer=fetching())
    assert server.served.requests == ["/m/cloud.c2pa"]
    assert report.status is FileStatus.OK and report.reason is None
    creds = report.credentials
    assert creds.location is CredentialLocation.REMOTE
    assert creds.remote_url == url
    assert creds.validation_state is not None and str(creds.validation_state) == "Valid"
    assert "assertion.dataHash.mismatch" not in creds.failure_codes
    assert report.ai.involvement is Involvement.GENERATED
    assert any(
        e.value.endswith(GENERATED) and e.strength is Strength.SIGNED_VALID
        for e in report.ai.evidence
    )


def test_a_manifest_of_another_file_reads_invalid(
    server: Server, tmp_path: Path, dev_pki: DevPki
) -> None:
    url = server.url("/m/cloud.c2pa")
    path, _ = remote_only_jpeg(tmp_path, dev_pki, url)
    other = tmp_path / "other"
    other.mkdir()
    _, foreign = remote_only_jpeg(other, dev_pki, url, (200, 30, 30))  # another image's
    server.served.routes["/m/cloud.c2pa"] = (200, foreign, True)
    report = analyze_file(path, analyzer=fetching())
    assert str(report.credentials.validation_state) == "Invalid"
    assert "assertion.dataHash.mismatch" in report.credentials.failure_codes


@pytest.mark.parametrize(
    ("route", "limits", "expected"),
    [
        ((404, b"no such manifest", True), FetchLimits(), "HTTP 404"),
        ((500, b"boom", True), FetchLimits(), "HTTP 500"),
        ("manifest", FetchLimits(max_bytes=1024), "too large"),
        ("manifest-no-length", FetchLimits(max_bytes=1024), "too large"),
    ],
    ids=["404", "500", "declared-too-large", "streamed-too-large"],
)
def test_failed_fetch_keeps_the_remote_reference_and_says_why(
    server: Server,
    tmp_path: Path,
    dev_pki: DevPki,
    route: object,
    limits: FetchLimits,
    expected: str,
) -> None:
    url = server.url("/m/cloud.c2pa")
    path, data = remote_only_jpeg(tmp_path, dev_pki, url)
    assert len(data) > 1024
    answers = {"manifest": (200, data, True), "manifest-no-length": (200, data, False)}
    served = answers[route] if isinstance(route, str) else route
    server.served.routes["/m/cloud.c2pa"] = served  # type: ignore[assignment]
    report = analyze_file(path, analyzer=fetching(limits))
    assert report.status is FileStatus.OK
    assert report.credentials.location is CredentialLocation.REMOTE
    assert report.credentials.remote_url == url
    assert report.credentials.validation_state is None
    assert report.ai.involvement is Involvement.UNKNOWN
    assert url in (report.reason or "") and expected in (report.reason or "")


def test_a_server_that_never_answers_times_out(
    silent_url: str, tmp_path: Path, dev_pki: DevPki
) -> None:
    path, _ = remote_only_jpeg(tmp_path, dev_pki, silent_url)
    report = analyze_file(path, analyzer=fetching(FetchLimits(timeout_seconds=0.2)))
    assert report.credentials.location is CredentialLocation.REMOTE
    assert report.credentials.validation_state is None
    assert silent_url in (report.reason or "") and "timed out" in (report.reason or "")


def test_bytes_that_are_no_manifest_are_an_error(
    server: Server, tmp_path: Path, dev_pki: DevPki
) -> None:
    url = server.url("/m/cloud.c2pa")
    path, _ = remote_only_jpeg(tmp_path, dev_pki, url)
    server.served.routes["/m/cloud.c2pa"] = (200, b"<html>login required</html>", True)
    report = analyze_file(path, analyzer=fetching())
    assert report.status is FileStatus.ERROR
    assert report.credentials.remote_url == url
    assert url in (report.reason or "") and "could not be read" in (report.reason or "")


def test_fetch_refuses_other_schemes_and_redirects_to_them(server: Server) -> None:
    with pytest.raises(FetchError, match="http"):
        fetch_manifest("file:///etc/passwd", FetchLimits())
    server.served.redirects["/r"] = "ftp://127.0.0.1/manifest.c2pa"
    with pytest.raises(FetchError, match="non-http"):
        fetch_manifest(server.url("/r"), FetchLimits())
    server.served.redirects["/ok"] = "/m.c2pa"
    server.served.routes["/m.c2pa"] = (200, b"bytes", True)
    assert fetch_manifest(server.url("/ok"), FetchLimits()) == b"bytes"


def test_fetch_of_a_closed_port_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(FetchError, match="network error"):
        fetch_manifest(f"http://127.0.0.1:{port}/m.c2pa", FetchLimits(timeout_seconds=2))


def test_a_sidecar_beside_a_remote_reference_keeps_the_reference(
    tmp_path: Path, dev_pki: DevPki
) -> None:
    """Offline, the sidecar (here: the very manifest the URL serves) is the main reading and
    the remote reference is kept beside it, not dropped."""
    url = "https://manifests.example.invalid/cloud.c2pa"
    path, data = remote_only_jpeg(tmp_path, dev_pki, url)
    sidecar = path.with_suffix(".c2pa")
    sidecar.write_bytes(data)
    report = analyze_file(path, analyzer=Analyzer(), sidecar=sidecar)
    assert report.status is FileStatus.OK
    assert report.credentials.location is CredentialLocation.SIDECAR
    assert str(report.credentials.validation_state) == "Valid"
    assert report.ai.involvement is Involvement.GENERATED
    (reference,) = report.extra_credentials
    assert reference.location is CredentialLocation.REMOTE
    assert reference.remote_url == url


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nshort",  # body cut off
        b"SPEAKING NO HTTP AT ALL\r\n\r\n",
        b"",  # closes without a word
    ],
    ids=["truncated-body", "bad-status-line", "closed"],
)
def test_a_broken_answer_is_a_fetch_error(answer: bytes) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def reply() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(answer)

        thread = threading.Thread(target=reply, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/m.c2pa"
        with pytest.raises(FetchError, match="network error"):
            fetch_manifest(url, FetchLimits(timeout_seconds=5))
        thread.join()
