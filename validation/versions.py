"""Versions: which mlecurate wrote a file, and a fingerprint of what a stage's output is a function of.

>>> fingerprint({"recipe": {...}, "source_sha256": "ab12...", "mlecurate": mlecurate_version()})   # "3f9c0a..."

A stage (a split, a parity report) records the fingerprint of its inputs beside its output. Run again on the same
inputs, it finds the same fingerprint and rewrites nothing; Dagster shows the fingerprint as the output's data version,
so a changed recipe or download is a new version and what depends on it is stale.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version


def mlecurate_version() -> str:
    try:
        return version("mlecurate")
    except PackageNotFoundError:
        return "unknown (not installed)"


def fingerprint(inputs: dict) -> str:
    """The sha256 of ``inputs`` as canonical JSON (sorted keys; a value JSON cannot hold, as its text), 24 hex digits."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def text_sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()
