"""Versions: which mlecurate wrote a file, and a fingerprint of what a stage's output is a function of.

>>> fingerprint({"recipe": {...}, "source_sha256": "ab12...", "mlecurate": mlecurate_version()})   # "3f9c0a..."

A stage (a split, a parity report) records the fingerprint of its inputs beside its output. Run again on the same
inputs, it finds the same fingerprint and rewrites nothing; Dagster shows the fingerprint as the output's data version,
so a changed recipe or download is a new version and what depends on it is stale.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LIBRARIES = ("duckdb", "pandas", "numpy", "pyarrow", "scikit-learn")  # their releases can change what a stage writes


def mlecurate_version() -> str:
    try:
        return version("mlecurate")
    except PackageNotFoundError:
        return "unknown (not installed)"


def fingerprint(inputs: dict) -> str:
    """The sha256 of ``inputs`` as canonical JSON (sorted keys; a value JSON cannot hold, as its text), 24 hex digits."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def code_version(*packages: str) -> str:
    """mlecurate's version and a digest of the source of ``packages`` (dotted names; every ``.py`` file under each)
    and of the libraries that shape outputs: any edit to that code, or another library release, is a new code version,
    so nothing written by other code is kept as if it were this code's."""
    digest = hashlib.sha256()
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"no package or module {name!r}")
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={version(library)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{library}=none\0".encode())
    return f"{mlecurate_version()}+{digest.hexdigest()[:12]}"


def text_sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()
