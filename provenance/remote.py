"""Fetching a remote C2PA manifest store by URL, bounded (issue 7), for files whose credentials
only point at one (XMP `dcterms:provenance`).

Does network I/O, and only when the user asks for it (`[trust] fetch_remote`, `--fetch-remote`):
http(s) only, a timeout for connecting and for each wait for data, a deadline for the whole
download and a size cap, checked while streaming. The bytes are not interpreted here: c2pa_io
validates them as the manifest of the asset. c2pa-rs's own fetch stays off, because it has
neither a size cap nor our timeouts.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlsplit

CHUNK_BYTES = 64 * 1024
_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much: real manifest stores are kilobytes to a few megabytes."""

    timeout_seconds: float = 10.0  # to connect, and for each wait for data
    total_seconds: float = 60.0  # for the whole download (a server dripping bytes)
    max_bytes: int = 16 * 1024 * 1024


class FetchError(Exception):
    """The manifest could not be fetched; the message says why, for a person."""


def fetch_manifest(url: str, limits: FetchLimits) -> bytes:
    """The bytes at `url`, or FetchError saying why not (bad URL, HTTP status, timeout,
    too large, network error). Never anything but FetchError."""
    if urlsplit(url).scheme.lower() not in _SCHEMES:
        raise FetchError("not an http(s) URL; only http and https manifests are fetched")
    request = urllib.request.Request(url, headers={"Accept": "application/c2pa, */*"})
    try:
        with _OPENER.open(request, timeout=limits.timeout_seconds) as response:
            declared = _declared_length(response.headers, limits.max_bytes)
            return _read_capped(response, limits, declared)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}".rstrip()) from None
    except urllib.error.URLError as exc:
        raise FetchError(_network_reason(exc.reason)) from None
    except (TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
        # http.client raises OSError subclasses, ValueError (a bad URL) and HTTPException (a
        # bad status line, a body shorter than its Content-Length).
        raise FetchError(_network_reason(exc)) from None


def _declared_length(headers: Message, max_bytes: int) -> int | None:
    declared = headers.get("Content-Length")
    if declared is None or not declared.strip().isdigit():
        return None
    if int(declared) > max_bytes:
        raise FetchError(f"too large: {int(declared)} bytes, over the {max_bytes} byte limit")
    return int(declared)


def _read_capped(response: IO[bytes], limits: FetchLimits, declared: int | None) -> bytes:
    """Stream the body, aborting past the size cap or the deadline (a declared length can lie),
    and refusing a body cut short of its declared length (http.client returns it quietly)."""
    deadline = time.monotonic() + limits.total_seconds
    received = bytearray()
    while chunk := response.read(CHUNK_BYTES):
        received += chunk
        if len(received) > limits.max_bytes:
            raise FetchError(f"too large: over the {limits.max_bytes} byte limit")
        if time.monotonic() > deadline:
            raise FetchError(f"timed out: not complete after {limits.total_seconds:g} s")
    if declared is not None and len(received) < declared:
        raise FetchError(
            f"network error: the connection closed after {len(received)} of {declared} bytes"
        )
    return bytes(received)


def _network_reason(reason: object) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason).lower():
        return "timed out: the server did not answer in time"
    if isinstance(reason, OSError) and reason.strerror:
        return f"network error: {reason.strerror}"
    return f"network error: {reason or type(reason).__name__}"


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a few redirects, and only to http(s): urllib alone would also follow ftp."""

    max_redirections = 5

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise FetchError(f"redirected to a non-http(s) URL ({newurl})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# No FileHandler, FTPHandler or DataHandler: a manifest URL in a file must never make us read
# local files or speak other protocols. Proxies from the environment are honoured.
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler(),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
    _HttpOnlyRedirects(),
):
    _OPENER.add_handler(_handler)
