"""The one Kaggle client: the real ``kaggle`` package, imported lazily, with retries our callers need.

>>> KaggleClient().download_dataset_file("kaggle/meta-kaggle", "Competitions.csv", folder)

Importing ``kaggle`` without credentials prints a help text, creates a config folder and may exit, so this module
checks for credentials first and imports the package only when a call is made. None of the calls used here retry
a 429 or a 5xx by themselves: :meth:`KaggleClient._call` does, with exponential backoff that honours Retry-After.
A refusal (a 4xx other than 429, missing or rejected credentials, a file other than the one asked for) is
:attr:`KaggleError.permanent`: retrying cannot help, so orchestrators do not retry it.

Credentials never appear in messages: errors quote Kaggle's message and the status, nothing else, and every message
goes through :func:`redact_credentials` (the configured key or token, anything shaped like a Kaggle key or token, an
Authorization header, ``key=...``/``token=...``/``sig=...`` values, a URL's query or password), because a server may echo
a request back. The client's own exception, whose text is not redacted, is never chained to a KaggleError.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from validation.archives import open_zip
from validation.data_root import atomic_path

T = TypeVar("T")
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


REDACTED = "[redacted]"
_SECRET_NAME = r"[\w.-]*(?:key|token|secret|password|passwd|signature|sig|credential)s?"
CREDENTIAL_SHAPES = [  # (pattern, replacement): what a credential looks like in a message
    (re.compile(r"\bKGAT_[A-Za-z0-9_-]+"), REDACTED),  # a Kaggle API token
    (re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32}(?![0-9A-Fa-f])"), REDACTED),  # a legacy Kaggle API key
    (re.compile(r"(?i)\b((?:proxy-)?authorization\s*[:=]\s*)(?:(?:basic|bearer|token)\s+)?[^\s,;()'\"]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)\b(basic|bearer|token)\s+(?=[A-Za-z0-9._~+/=-]*[0-9+/=])[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    (re.compile(rf"(?i)\b({_SECRET_NAME})=[^\s&\"',;)}}]+"), rf"\1={REDACTED}"),  # key=..., sig=... (a query's too)
    (re.compile(rf'(?i)("{_SECRET_NAME}"\s*:\s*)"[^"]*"'), rf'\1"{REDACTED}"'),  # "key": "..." (JSON echoed back)
    (re.compile(r"(?i)\b(https?://[^\s?#'\"]+)\?[^\s#'\"]+"), rf"\1?{REDACTED}"),  # a URL's query (signed URLs)
    (re.compile(r"(?i)(://)[^/\s:@]+:[^/\s@]+@"), rf"\1{REDACTED}@"),  # user:password@ in a URL
]  # fmt: skip


def redact_credentials(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with ``secrets`` (the configured key or token) and anything credential-shaped replaced by [redacted].

    >>> redact_credentials("denied for key=0123 (Authorization: Basic YWxpY2U6a2V5)")
    'denied for key=[redacted] (Authorization: [redacted])'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in CREDENTIAL_SHAPES:
        text = pattern.sub(replacement, text)
    return text


class KaggleError(RuntimeError):
    """A Kaggle call failed; the message says which call, on what, and what Kaggle answered (credentials redacted).

    ``permanent``: retrying cannot help (a refusal: 4xx other than 429, missing or rejected credentials, a wrong
    file); transient failures (429, 5xx, dropped transfers) are retried here first, then left to the orchestrator."""

    permanent = False

    def __init__(self, message: str, *, permanent: bool | None = None):
        super().__init__(redact_credentials(message))
        if permanent is not None:
            self.permanent = permanent


class KaggleCredentialsError(KaggleError):
    """No Kaggle credentials were found, or Kaggle rejected them."""

    permanent = True


class RulesNotAcceptedError(KaggleError):
    """Kaggle refused a download because the account has not accepted the competition's rules (403)."""

    permanent = True

    def __init__(self, slug: str, message: str):
        self.slug = slug
        self.rules_url = rules_url(slug)
        super().__init__(f"{slug}: needs rules acceptance: {message} Accept them at {self.rules_url}")


class LateSubmissionRefusedError(KaggleError):
    """The competition does not accept late submissions (recorded as such, not retried)."""

    permanent = True


def rules_url(slug: str) -> str:
    return f"https://www.kaggle.com/competitions/{slug}/rules"


@dataclass(frozen=True)
class KaggleCredentials:
    """What the ``kaggle`` package authenticates with: a token, a username and key, or a folder holding kaggle.json.

    Secrets never appear in the repr (Dagster shows resource config; logs show errors).
    """

    api_token: str | None = field(default=None, repr=False)
    username: str | None = None
    key: str | None = field(default=None, repr=False)
    config_dir: Path | None = None  # a folder holding kaggle.json (or the kaggle CLI's access_token)

    def present(self) -> bool:
        return bool(self.api_token or (self.username and self.key) or self.config_dir)

    def secrets(self) -> list[str]:
        """The values no message may show."""
        return [value for value in (self.api_token, self.key) if value]

    def environment(self) -> dict[str, str]:
        """The variables the ``kaggle`` package reads, for the moment it imports and authenticates."""
        values = {"KAGGLE_API_TOKEN": self.api_token, "KAGGLE_USERNAME": self.username, "KAGGLE_KEY": self.key,
                  "KAGGLE_CONFIG_DIR": str(self.config_dir) if self.config_dir else None}  # fmt: skip
        return {name: value for name, value in values.items() if value}


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class KaggleClient:
    credentials: KaggleCredentials = field(default_factory=KaggleCredentials)
    attempts: int = 5
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0

    def __post_init__(self) -> None:
        self._api = None

    def api(self):
        """The authenticated ``KaggleApi`` (imported on first use)."""
        if self._api is None:
            if not self.credentials.present():
                raise KaggleCredentialsError(
                    "no Kaggle credentials: set KAGGLE_API_TOKEN, or KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json "
                    "in ~/.kaggle (see https://www.kaggle.com/settings/api)"
                )
            # kaggle reads credentials from the environment when imported and when authenticating.
            with _environment(self.credentials.environment()), contextlib.redirect_stdout(io.StringIO()):
                from kaggle.api.kaggle_api_extended import KaggleApi

                api = KaggleApi()
                try:
                    api.authenticate()
                except SystemExit:
                    raise KaggleCredentialsError("Kaggle rejected the configured credentials") from None
            self._api = api
        return self._api

    def _call(self, what: str, call: Callable[[], T], rules_slug: str | None = None) -> T:
        """Run ``call``; retry transient failures (429, 5xx, dropped or truncated transfers) with backoff; raise
        :class:`KaggleError` (never the client's own exception, whose text may echo the request) for everything else."""
        import requests

        for attempt in range(1, self.attempts + 1):
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # the client prints URLs and progress
                    return call()
            except KaggleError:
                raise
            except requests.HTTPError as error:
                status = error.response.status_code if error.response is not None else None
                message = self._redacted(_kaggle_message(error))
                if status == 403 and "rules" in message.lower() and rules_slug:
                    raise RulesNotAcceptedError(rules_slug, message) from None
                if status not in RETRYABLE_STATUS and "too many requests" not in message.lower():
                    raise KaggleError(f"{what}: Kaggle answered {status}: {message}", permanent=True) from None
                failure: Exception = error
                wait = _retry_after(error)
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as error:
                failure, wait = error, None
            except Exception as error:
                # the client raises ValueError when a download's size does not match: a broken transfer
                if not isinstance(error, ValueError) or not re.search(r"size|length", str(error), re.IGNORECASE):
                    raise KaggleError(f"{what}: {type(error).__name__}: {self._redacted(_short(error))}") from None
                failure, wait = error, None
            if attempt == self.attempts:
                raise KaggleError(
                    f"{what}: gave up after {attempt} attempts: {self._redacted(_short(failure))}"
                ) from None
            delay = wait if wait is not None else self.backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
            time.sleep(min(delay, self.max_backoff_seconds))
        raise AssertionError("unreachable")

    def _download(self, what: str, folder: Path, name: str, call, rules_slug: str | None = None) -> Path:
        """Run ``call(scratch)``, which makes the client write into a scratch folder beside ``folder``; move the file
        it wrote (``name``, or ``name.zip`` unzipped to ``name``) into place atomically, and return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / name
        with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as scratch:
            self._call(what, lambda: call(scratch), rules_slug=rules_slug)
            fetched, zipped = Path(scratch) / name, Path(scratch) / f"{name}.zip"
            if not fetched.exists() and not zipped.exists():
                found = ", ".join(p.name for p in Path(scratch).iterdir()) or "nothing"
                raise KaggleError(f"{what}: expected {name}, Kaggle sent {found}", permanent=True)
            with atomic_path(final) as tmp:
                if fetched.exists():
                    os.replace(fetched, tmp)
                else:
                    _extract_single_member(zipped, name, tmp, what)
        return final

    def _redacted(self, text: str) -> str:
        return redact_credentials(text, self.credentials.secrets())

    def download_dataset_file(self, dataset: str, file_name: str, folder: Path) -> Path:
        """Download one file of a dataset into ``folder`` (unzipped if Kaggle zipped it); return its path."""
        return self._download(
            f"download {file_name} of dataset {dataset}", folder, file_name,
            lambda scratch: self.api().dataset_download_file(dataset, file_name, path=scratch, force=True, quiet=True),
        )  # fmt: skip

    def download_competition(self, slug: str, folder: Path) -> Path:
        """Download a competition's data bundle (``<slug>.zip``) into ``folder``; return its path.

        A 403 about the rules raises :class:`RulesNotAcceptedError` (a state for a person, never a prompt).
        """
        return self._download(
            f"download the data of competition {slug}", folder, f"{slug}.zip",
            lambda scratch: self.api().competition_download_files(slug, path=scratch, force=True, quiet=True),
            rules_slug=slug,
        )  # fmt: skip

    def list_competition_files(self, slug: str) -> list[tuple[str, int]]:
        """(name, bytes) of every data file of a competition, all pages."""
        files, token = [], None
        while True:
            page = self._call(
                f"list the files of competition {slug}",
                lambda token=token: self.api().competition_list_files(slug, page_token=token, page_size=200),
                rules_slug=slug,
            )
            files += [(f.name, f.total_bytes) for f in page.files]
            token = page.next_page_token
            if not token:
                return files

    def find_competitions(self, search: str) -> list[str]:
        """Slugs of the competitions Kaggle lists for ``search`` (first page)."""
        return [_slug_of(c) for c in self._listed(search)]

    def competition_listed(self, slug: str, max_pages: int = 5) -> dict | None:
        """Kaggle's list entry for exactly ``slug`` (searched by its slug, a few pages at most), as plain facts:
        ``title, evaluation_metric, deadline`` (ISO 8601, UTC, no offset, as Meta Kaggle's dates), ``team_count, url,
        category, reward, description`` (the subtitle), ``awards_medals, code_competition`` (Kaggle's
        ``awardsPoints``, ``isKernelsSubmissionsOnly``); None when Kaggle lists no competition with that slug."""
        token = None
        for _ in range(max_pages):
            found = self._call(f"search competitions for {slug!r}",
                               lambda token=token: self.api().competitions_list(search=slug, page_token=token))  # fmt: skip
            entry = next((c for c in found.competitions if _slug_of(c) == slug), None)
            if entry is not None:
                return _listed_facts(slug, entry)
            token = getattr(found, "next_page_token", "") or None
            if token is None:
                return None
        return None

    def competition_pages(self, slug: str) -> list[tuple[str, str, str]]:
        """The competition's published pages in Kaggle's order, as (name, content, mime type): ``description``,
        ``evaluation``, ``data-description``, ``rules``... (``kaggle competitions pages``; ListCompetitionPages)."""
        pages = self._call(f"read the pages of competition {slug}", lambda: self.api().competition_list_pages(slug))
        return [(p.name, p.content or "", getattr(p, "mime_type", "") or "") for p in pages or [] if p is not None]

    def _listed(self, search: str) -> list:
        found = self._call(f"search competitions for {search!r}", lambda: self.api().competitions_list(search=search))
        return list(found.competitions)

    def download_leaderboard(self, slug: str, folder: Path) -> Path:
        """The full leaderboard (the download, not the 20-row view) as ``<folder>/<slug>.zip``."""
        return self._download(
            f"download the leaderboard of competition {slug}", folder, f"{slug}.zip",
            lambda scratch: self.api().competition_leaderboard_download(slug, scratch, quiet=True),
            rules_slug=slug,
        )  # fmt: skip

    def score_late_submission(
        self, slug: str, submission: Path, message: str, timeout: float = 600.0, poll_seconds: float = 5.0
    ) -> tuple[float, float | None]:
        """Submit ``submission`` after the deadline and wait for Kaggle's score: (private score, public score).

        Uses the upload, create and list calls of the real client; a refusal of late submissions raises
        :class:`LateSubmissionRefusedError`. Kaggle counts these against the daily submission limit.
        """
        what = f"late submission to {slug}"
        try:
            created = self._call(what, lambda: self.api().competition_submit(str(submission), message, slug, quiet=True),
                                 rules_slug=slug)  # fmt: skip
        except KaggleError as error:
            if "late submission" in str(error).lower():
                raise LateSubmissionRefusedError(
                    f"{slug}: Kaggle does not accept late submissions ({error})"
                ) from error
            raise
        if not created.ref:
            raise KaggleError(
                f"{what}: Kaggle answered {self._redacted(str(created.message))!r} and made no submission"
            )
        deadline = time.monotonic() + timeout
        while True:
            listed = self._call(f"{what}: read the score", lambda: self.api().competition_submissions(slug))
            found = next((s for s in listed if s.ref == created.ref), None)
            status = str(getattr(found, "status", "")).upper()
            if found is not None and "COMPLETE" in status:
                private = found.private_score or found.public_score
                return float(private), (float(found.public_score) if found.public_score else None)
            if found is not None and "ERROR" in status:
                raise KaggleError(f"{what}: Kaggle could not score it: {self._redacted(str(found.error_description))}",
                                  permanent=True)  # fmt: skip
            if time.monotonic() > deadline:
                raise KaggleError(f"{what}: no score after {timeout:.0f} s (submission {created.ref})")
            time.sleep(poll_seconds)


def _slug_of(competition) -> str:
    return (competition.ref or "").rstrip("/").rsplit("/", 1)[-1]


def _listed_facts(slug: str, entry) -> dict:
    deadline = getattr(entry, "deadline", None)
    ref = entry.ref or ""
    url = getattr(entry, "url", None) or (
        ref if ref.startswith("http") else f"https://www.kaggle.com/competitions/{slug}"
    )
    return {
        "title": getattr(entry, "title", None) or None,
        "evaluation_metric": getattr(entry, "evaluation_metric", None) or None,
        "deadline": _naive_utc(deadline).isoformat() if deadline is not None else None,
        "team_count": getattr(entry, "team_count", None),
        "url": url,
        "category": getattr(entry, "category", None) or None,
        "reward": getattr(entry, "reward", None) or None,
        "description": getattr(entry, "description", None) or None,
        "awards_medals": getattr(entry, "awards_points", None),
        "code_competition": getattr(entry, "is_kernels_submissions_only", None),
    }


def _extract_single_member(archive: Path, name: str, target: Path, what: str) -> None:
    """The one file ``name`` Kaggle zipped, streamed into ``target`` under the archive limits."""
    with open_zip(archive, f"{what}: {archive.name}") as bundle:
        if len(bundle.files) != 1 or Path(bundle.files[0]).name != name:
            found = ", ".join(bundle.files)
            raise KaggleError(f"{what}: {archive.name}: expected exactly one member {name}, found {found or 'none'}",
                              permanent=True)  # fmt: skip
        with open(target, "wb") as sink:
            bundle.copy(bundle.files[0], sink)


def _kaggle_message(error) -> str:
    try:
        return str(error.response.json().get("message") or error)
    except (ValueError, AttributeError):
        return _short(error)


def _retry_after(error) -> float | None:
    header = error.response.headers.get("Retry-After") if error.response is not None else None
    try:
        return float(header) if header else None
    except ValueError:
        return None


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__


def _naive_utc(moment: datetime) -> datetime:
    """A time as Meta Kaggle keeps its times: UTC without an offset (an aware time is converted, not relabelled)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment
