"""A stub Kaggle server on 127.0.0.1 that speaks the wire protocol of kaggle 2.2.5 (see ../shared/KAGGLE_WIRE.md).

The real client reaches it through ``KAGGLE_API_ENVIRONMENT=LOCALHOST`` and ``HTTP_PROXY=http://127.0.0.1:<port>``
(both read at import, so the client runs in a subprocess). API calls are ``POST /api/v1/<service>/<Method>``; data
downloads answer 302 to a fake storage host, which the client then GETs through the same proxy.

Faults are queued per method: ``stub.fail("DownloadDataset", status=429, retry_after=0)`` answers the next call with
that error; the call after it succeeds.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

STORAGE = "http://storage.kaggle.test"


@dataclass
class Fault:
    status: int
    message: str = "stub fault"
    retry_after: float | None = None


@dataclass
class KaggleStub:
    datasets: dict[str, Path] = field(default_factory=dict)  # "owner/slug" -> folder of files
    zip_files: bool = False  # serve dataset files zipped, as Kaggle does for large ones
    requests: list[dict] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)

    def fail(self, method: str, status: int, message: str = "stub fault", retry_after: float | None = None) -> None:
        self.faults.setdefault(method, []).append(Fault(status, message, retry_after))

    def start(self) -> KaggleStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub._handle(self, "POST", json.loads(body or b"{}"))

            def do_GET(self):
                stub._handle(self, "GET", None)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def client_environment(self) -> dict[str, str]:
        """Environment for a subprocess running the real client against this stub."""
        return {
            "KAGGLE_API_ENVIRONMENT": "LOCALHOST",
            "HTTP_PROXY": f"http://127.0.0.1:{self.port}",
            "http_proxy": f"http://127.0.0.1:{self.port}",
            "NO_PROXY": "",
            "no_proxy": "",
            "KAGGLE_USERNAME": "stub-user",
            "KAGGLE_KEY": "stub-secret-key-0123456789",
        }

    def _handle(self, handler: BaseHTTPRequestHandler, verb: str, body: dict | None) -> None:
        url = urlsplit(handler.path)
        method = url.path.rsplit("/", 1)[-1]
        self.requests.append({"verb": verb, "path": url.path, "method": method, "body": body,
                              "headers": dict(handler.headers)})  # fmt: skip
        queued = self.faults.get(method) or []
        if queued:
            fault = queued.pop(0)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return _json(handler, fault.status, {"code": fault.status, "message": fault.message}, headers)
        if verb == "POST" and method == "DownloadDataset":
            return self._redirect_dataset_file(handler, body)
        if verb == "GET" and url.path.startswith("/datasets/"):
            return self._dataset_file(handler, url.path)
        return _json(handler, 404, {"code": 404, "message": f"stub does not serve {verb} {url.path}"})

    def _redirect_dataset_file(self, handler, body: dict) -> None:
        dataset = f"{body['ownerSlug']}/{body['datasetSlug']}"
        name = body.get("fileName")
        if dataset not in self.datasets or not name or not (self.datasets[dataset] / name).is_file():
            return _json(handler, 404, {"code": 404, "message": "NotFound"})
        suffix = ".zip" if self.zip_files else ""
        handler.send_response(302)
        handler.send_header("Location", f"{STORAGE}/datasets/{dataset}/{name}{suffix}?sig=stub")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _dataset_file(self, handler, path: str) -> None:
        _, _, owner, slug, name = path.split("/", 4)
        zipped = name.endswith(".zip")
        source = self.datasets[f"{owner}/{slug}"] / name.removesuffix(".zip")
        data = source.read_bytes()
        if zipped:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
                bundle.writestr(source.name, data)
            data = buffer.getvalue()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/zip" if zipped else "text/csv")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Last-Modified", formatdate(source.stat().st_mtime, usegmt=True))
        handler.end_headers()
        handler.wfile.write(data)


def _json(handler, status: int, payload: dict, headers: dict | None = None) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)
