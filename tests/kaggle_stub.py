"""A stub Kaggle server on 127.0.0.1 that speaks the wire protocol of kaggle 2.2.5 (see ../shared/KAGGLE_WIRE.md).

The real client reaches it through ``KAGGLE_API_ENVIRONMENT=LOCALHOST`` and ``HTTP_PROXY=http://127.0.0.1:<port>``
(both read at import, so the client runs in a subprocess). API calls are ``POST /api/v1/<service>/<Method>``; data
downloads answer 302 to a fake storage host, which the client then GETs through the same proxy.

Faults are queued per method: ``stub.fail("DownloadDataset", status=429, retry_after=0)`` answers the next call with
that error; the call after it succeeds. Downloads can break (``stub.break_download("drop" | "truncate")``) or be
replaced by hostile archives (``stub.serve_archive(slug, bytes)``, see :func:`hostile_zip`; a leaderboard download by
``stub.serve_leaderboard_archive(slug, bytes)``).

Competitions are served from folders laid out as ``../shared/data/competitions/<slug>/``: every file but
PROVENANCE.md, with the original zips in ``_zips/`` shipped as nested zips in place of their contents, as Kaggle does.
Each competition is listed by ListCompetitions with the fields Kaggle's ApiCompetition carries (title, url, category,
reward, deadline, teamCount, evaluationMetric...; :data:`LISTED` holds the facts of the shared competitions, override
with ``stub.listings[slug]``), and has pages for ListCompetitionPages (``kaggle competitions pages``): description,
evaluation, data-description and rules, rendered HTML as Kaggle serves it (:func:`default_pages`; replace with
``stub.pages[slug] = [...]``, ``[]`` for none). An unknown competition answers 404 NotFound, as Kaggle does.
"""

from __future__ import annotations

import csv
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
ACCURACY, AUC, MULTICLASS_LOSS = (
    "Categorization Accuracy", "Area Under Receiver Operating Characteristic Curve", "Multiclass Loss",
)  # fmt: skip
# The shared competitions as Kaggle lists them (Meta Kaggle's 2024 dump for the four it holds; the two Getting Started
# competitions, which the dump leaves out, are always open, with a far deadline).
LISTED = {
    "titanic": {"title": "Titanic - Machine Learning from Disaster", "category": "Getting Started", "reward": "Knowledge",
                "description": "Start here! Predict survival on the Titanic and get familiar with ML basics",
                "deadline": "2030-01-01T00:00:00Z", "enabledDate": "2012-09-28T21:13:33Z", "teamCount": 15731,
                "evaluationMetric": ACCURACY},
    "spaceship-titanic": {"title": "Spaceship Titanic", "category": "Getting Started", "reward": "Knowledge",
                          "description": "Predict which passengers are transported to an alternate dimension",
                          "deadline": "2030-01-01T00:00:00Z", "enabledDate": "2022-02-11T18:04:18Z", "teamCount": 2143,
                          "evaluationMetric": ACCURACY},
    "spooky-author-identification": {"title": "Spooky Author Identification", "category": "Playground",
                                     "description": "Share code and discuss insights to identify horror authors from their writings",
                                     "deadline": "2017-12-15T23:59:00Z", "teamCount": 1241, "evaluationMetric": MULTICLASS_LOSS},
    "leaf-classification": {"title": "Leaf Classification", "category": "Playground",
                            "description": "Can you see the random forest for the leaves?",
                            "deadline": "2017-02-28T23:59:00Z", "teamCount": 1595, "evaluationMetric": MULTICLASS_LOSS},
    "random-acts-of-pizza": {"title": "Random Acts of Pizza", "category": "Playground",
                             "description": "Predicting altruism through free pizza",
                             "deadline": "2015-06-01T23:59:00Z", "teamCount": 462, "evaluationMetric": AUC},
    "detecting-insults-in-social-commentary": {"title": "Detecting Insults in Social Commentary",
                                               "category": "Recruitment", "reward": "Jobs",
                                               "description": "Predict whether a comment posted during a public discussion is an insult",
                                               "deadline": "2012-09-21T23:59:00Z", "teamCount": 50, "evaluationMetric": AUC,
                                               "awardsPoints": True, "isKernelsSubmissionsOnly": False},
}  # fmt: skip


@dataclass
class Fault:
    status: int
    message: str = "stub fault"
    retry_after: float | None = None


@dataclass
class KaggleStub:
    datasets: dict[str, Path] = field(default_factory=dict)  # "owner/slug" -> folder of files
    competitions: dict[str, Path] = field(default_factory=dict)  # slug -> folder of its files
    broken_downloads: list[str] = field(default_factory=list)  # "drop" | "truncate", one per next download
    archives: dict[str, bytes] = field(default_factory=dict)  # slug -> bytes served instead of the real bundle
    leaderboards: dict[str, Path] = field(default_factory=dict)  # slug -> leaderboard CSV (MLE-bench's format)
    leaderboard_archives: dict[str, bytes] = field(default_factory=dict)  # slug -> bytes DownloadLeaderboard answers
    scorers: dict = field(default_factory=dict)  # slug -> function(submission bytes) -> (public, private) scores
    refuse_late: set[str] = field(default_factory=set)  # slugs whose CreateSubmission refuses late submissions
    uploads: dict[str, bytes] = field(default_factory=dict)
    submissions: list[dict] = field(default_factory=list)
    zip_files: bool = False  # serve dataset files zipped, as Kaggle does for large ones
    listings: dict[str, dict] = field(default_factory=dict)  # slug -> ApiCompetition fields (default: LISTED)
    pages: dict[str, list[dict]] = field(default_factory=dict)  # slug -> ApiCompetitionPage list (default_pages)
    requests: list[dict] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)

    def fail(self, method: str, status: int, message: str = "stub fault", retry_after: float | None = None) -> None:
        self.faults.setdefault(method, []).append(Fault(status, message, retry_after))

    def break_download(self, how: str) -> None:
        self.broken_downloads.append(how)

    def serve_archive(self, slug: str, data: bytes) -> None:
        self.archives[slug] = data

    def serve_leaderboard_archive(self, slug: str, data: bytes) -> None:
        self.leaderboard_archives[slug] = data

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

            def do_PUT(self):  # the submission upload (createUrl): keep the bytes under their token
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                token = urlsplit(self.path).path.rsplit("/", 1)[-1]
                stub.requests.append({"verb": "PUT", "path": self.path, "method": "upload", "body": None,
                                      "headers": dict(self.headers)})  # fmt: skip
                stub.uploads[token] = data
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

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
        if verb == "POST" and method == "ListCompetitions":
            known = sorted(set(self.competitions) | set(self.listings))
            return _json(handler, 200, {"competitions": [
                self.listed(slug) for slug in known if not body.get("search") or body["search"] in slug
            ], "nextPageToken": ""})  # fmt: skip
        if verb == "POST" and method == "ListCompetitionPages":
            slug = body.get("competitionName", "")
            if slug not in self.pages and slug not in self.competitions:
                return _json(handler, 404, {"code": 404, "message": "NotFound"})
            pages = self.pages[slug] if slug in self.pages else default_pages(slug, self.listed(slug),
                                                                             sorted(self._bundle_members(slug)))  # fmt: skip
            wanted = body.get("pageName")
            return _json(handler, 200, {"pages": [p for p in pages if not wanted or p["name"] == wanted]})
        if verb == "POST" and method == "StartSubmissionUpload":
            token = f"blob-{len(self.uploads) + 1}"
            self.uploads[token] = b""
            return _json(handler, 200, {"token": token, "createUrl": f"{STORAGE}/upload/{token}"})
        if verb == "POST" and method == "CreateSubmission":
            slug = body.get("competitionName", "")
            if slug in self.refuse_late:
                return _json(
                    handler, 400, {"code": 400, "message": "Late submissions are not allowed for this competition."}
                )
            public, private = self.scorers[slug](self.uploads[body["blobFileTokens"]])
            ref = 50_000_000 + len(self.submissions) + 1
            self.submissions.append({"ref": ref, "status": "COMPLETE", "publicScore": f"{public:.5f}",
                                     "privateScore": f"{private:.5f}", "description": body.get("submissionDescription", ""),
                                     "date": "2026-11-30T10:00:00Z", "fileName": "submission.csv", "slug": slug})  # fmt: skip
            return _json(handler, 200, {"message": "Successfully submitted", "ref": ref})
        if verb == "POST" and method == "ListSubmissions":
            slug = body.get("competitionName", "")
            listed = [{k: v for k, v in s.items() if k != "slug"} for s in self.submissions if s["slug"] == slug]
            return _json(handler, 200, {"submissions": listed[::-1], "nextPageToken": ""})
        if verb == "POST" and method in ("GetLeaderboard", "DownloadLeaderboard"):
            slug = body.get("competitionName", "")
            if method == "DownloadLeaderboard" and slug in self.leaderboard_archives:
                return self._send_file(handler, self.leaderboard_archives[slug], "application/zip")
            if slug not in self.leaderboards:
                return _json(handler, 404, {"code": 404, "message": "NotFound"})
            if method == "DownloadLeaderboard":  # the whole board, zipped, answered directly
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
                    bundle.writestr(f"{slug}-publicleaderboard.csv", self.leaderboards[slug].read_bytes())
                return self._send_file(handler, buffer.getvalue(), "application/zip")
            rows = list(csv.DictReader(io.StringIO(self.leaderboards[slug].read_text())))
            start, size = int(body.get("pageToken") or 0), int(body.get("pageSize") or 20)
            page = [{"teamId": int(r["teamId"]), "teamName": f"team {r['teamId']}", "score": r["score"],
                     "submissionDate": r["submissionDate"].replace(" ", "T") + "Z"} for r in rows[start:start + size]]  # fmt: skip
            token = str(start + size) if start + size < len(rows) else ""
            return _json(handler, 200, {"submissions": page, "nextPageToken": token})
        if verb == "POST" and method in ("ListDataFiles", "DownloadDataFiles", "DownloadDataFile"):
            slug = body.get("competitionName", "")
            if slug not in self.competitions:
                return _json(handler, 404, {"code": 404, "message": "NotFound"})
            if method == "ListDataFiles":
                files = [{"ref": n, "name": n, "totalBytes": len(d), "creationDate": "2024-03-01T00:00:00Z"}
                         for n, d in sorted(self._bundle_members(slug).items())]  # fmt: skip
                return _json(handler, 200, {"files": files, "nextPageToken": ""})
            target = (
                f"/competitions/{slug}/{body['fileName']}"
                if method == "DownloadDataFile"
                else f"/competitions/{slug}/{slug}.zip"
            )
            return _redirect(handler, f"{STORAGE}{target}?sig=stub")
        if verb == "GET" and url.path.startswith("/competitions/"):
            _, _, slug, name = url.path.split("/", 3)
            if name == f"{slug}.zip":
                data = self.archives.get(slug) or self.competition_zip(slug)
            else:
                data = self._bundle_members(slug)[name]
            return self._send_file(handler, data, "application/zip" if name.endswith(".zip") else "text/csv")
        return _json(handler, 404, {"code": 404, "message": f"stub does not serve {verb} {url.path}"})

    def listed(self, slug: str) -> dict:
        """The competition's ApiCompetition JSON, as ListCompetitions answers it."""
        facts = LISTED.get(slug, {}) | self.listings.get(slug, {})
        return {
            "id": 3000 + sorted(set(self.competitions) | set(self.listings) | set(LISTED)).index(slug),
            "ref": f"https://www.kaggle.com/competitions/{slug}",
            "title": slug.replace("-", " ").title(), "url": f"https://www.kaggle.com/competitions/{slug}",
            "category": "Featured", "reward": "$10,000", "deadline": "2030-01-01T23:59:00Z", "kernelCount": 0,
            "teamCount": 0, "userHasEntered": False, "maxDailySubmissions": 5, "maxTeamSize": 5, "tags": [],
        } | facts  # fmt: skip

    def _bundle_members(self, slug: str) -> dict[str, bytes]:
        folder = self.competitions[slug]
        zipped = (
            {p.name: p.read_bytes() for p in sorted((folder / "_zips").glob("*.zip"))}
            if (folder / "_zips").is_dir()
            else {}
        )
        inside = set()  # the files the original zips hold; the bundle ships the zips instead
        for data in zipped.values():
            with zipfile.ZipFile(io.BytesIO(data)) as bundle:
                inside |= {Path(n).name for n in bundle.namelist()}
        plain = {
            p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != "PROVENANCE.md" and p.name not in inside
        }  # fmt: skip
        return plain | zipped

    def competition_zip(self, slug: str) -> bytes:
        """The competition's bundle as Kaggle serves it (deterministic bytes)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, data in self._bundle_members(slug).items():
                bundle.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    def _send_file(self, handler, data: bytes, content_type: str) -> None:
        how = self.broken_downloads.pop(0) if self.broken_downloads else None
        if how == "drop":  # close the connection without answering
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if how == "truncate":  # promise every byte, send half, hang up
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(data)

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


def default_pages(slug: str, listed: dict, files: list[str]) -> list[dict]:
    """A competition's pages as ListCompetitionPages answers them, in Kaggle's order: its overview (``description``),
    ``evaluation``, ``data-description`` (naming the bundle's files) and ``rules``; content is rendered HTML."""
    title, metric = listed["title"], listed.get("evaluationMetric") or "the competition's metric"
    items = "".join(f"<li><strong>{name}</strong></li>" for name in files)
    return [
        {"name": "description", "postTitle": "Description", "mimeType": "text/html", "isPublished": True,
         "content": f"<h2>Overview</h2><p>{listed.get('description', title)}.</p><p>In <em>{title}</em> you build a "
                    "model from the training data and predict the target for every row of the test set.</p>"},
        {"name": "evaluation", "postTitle": "Evaluation", "mimeType": "text/html", "isPublished": True,
         "content": f"<p>Submissions are evaluated on <strong>{metric}</strong>.</p><h3>Submission File</h3>"
                    "<p>For each id in the test set, predict the target. The file should have a header:</p>"
                    "<pre>id,target\n1,0\n2,1\n</pre>"},
        {"name": "data-description", "postTitle": "Data", "mimeType": "text/html", "isPublished": True,
         "content": f"<p>The data for {title} is in these files:</p><ul>{items}</ul>"
                    "<p>The test set has the same columns as the training set, without the target.</p>"},
        {"name": "rules", "postTitle": "Rules", "mimeType": "text/html", "isPublished": True,
         "content": "<h2>Competition Rules</h2><p>One account per participant. No private sharing outside teams.</p>"},
    ]  # fmt: skip


def hostile_zip(kind: str) -> bytes:
    """Archives a download must refuse: ``traversal`` (``../x``), ``absolute`` (``/etc/x``), ``bomb`` (200 MB of
    one repeated byte in about 200 KB, a ratio over 1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        if kind == "traversal":
            bundle.writestr("train.csv", "id,y\n1,0\n")
            bundle.writestr("../x", "escaped\n")
        elif kind == "absolute":
            bundle.writestr("/etc/x", "escaped\n")
        elif kind == "bomb":
            info = zipfile.ZipInfo("train.csv")
            info.compress_type = zipfile.ZIP_DEFLATED
            with bundle.open(info, "w", force_zip64=True) as member:
                zeros = b"0" * (1 << 20)
                for _ in range(200):
                    member.write(zeros)
        else:
            raise ValueError(kind)
    return buffer.getvalue()


def _redirect(handler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _json(handler, status: int, payload: dict, headers: dict | None = None) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)
