"""Benchmark: placing each row's own file (an image per row) in a split, against MLE-bench's way.

    python bench/row_files_benchmark.py [--files 100000] [--kb 2]

Writes ``--files`` files of ``--kb`` KB under a download's ``train/`` folder, a fifth of them going to ``test/``, and
places them three ways, each into an empty ``public/`` on the same disk:

- mlecurate (``splits.row_files.copy_row_files``): a hard link per file, and its sha256 read once for the manifest;
- mlecurate without hard links (another file system): a copy per file, hashed while it is copied;
- MLE-bench's prepare scripts (``shutil.copy`` per file, no checksum; aerial-cactus-identification's, for one).

Prints each one's seconds and the ratios against MLE-bench's way. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from splits.row_files import RowFile, copy_row_files  # noqa: E402
from validation.data_files import copy_hashed  # noqa: E402


def row_files(raw: Path, count: int, kilobytes: int) -> list[RowFile]:
    (raw / "train").mkdir(parents=True)
    payload = os.urandom(kilobytes * 1024)
    files = []
    for i in range(count):
        (raw / "train" / f"{i}.png").write_bytes(payload)
        side = "test" if i % 5 == 0 else "train"
        files.append(RowFile(f"train/{i}.png", f"{side}/{i}.png", side))
    return files


def copied_hashed(files: list[RowFile], raw: Path, public: Path) -> None:
    for folder in {os.path.dirname(f.relative) for f in files}:
        (public / folder).mkdir(parents=True, exist_ok=True)
    for f in files:
        copy_hashed(raw / f.source, public / f.relative, "xb")


def mlebench_way(files: list[RowFile], raw: Path, public: Path) -> None:
    for folder in {os.path.dirname(f.relative) for f in files}:
        (public / folder).mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(raw / f.source, public / f.relative)


def timed(name: str, way, files: list[RowFile], raw: Path, work: Path) -> float:
    public = work / f"public-{name.split()[0]}"
    shutil.rmtree(public, ignore_errors=True)
    os.sync()
    started = time.perf_counter()
    way(files, raw, public)
    seconds = time.perf_counter() - started
    placed = sum(1 for _ in public.rglob("*.png"))
    assert placed == len(files), (name, placed)
    shutil.rmtree(public)
    print(f"  {name:<44} {seconds:6.1f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000, help="row files (default 100,000)")
    parser.add_argument("--kb", type=int, default=2, help="each file's size in KB (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="row-files-", dir=PROJECT.parent) as folder:
        work = Path(folder)
        files = row_files(work / "raw", args.files, args.kb)
        print(f"{args.files:,} row files of {args.kb} KB, a fifth to test/")
        ours = timed("mlecurate (hard links, sha256 once)", copy_row_files, files, work / "raw", work)
        copies = timed("mlecurate without links (copies, hashed)", copied_hashed, files, work / "raw", work)
        theirs = timed("MLE-bench's way (shutil.copy, no checksum)", mlebench_way, files, work / "raw", work)
        print(f"ratios against MLE-bench's way: links {ours / theirs:.2f}x, copies {copies / theirs:.2f}x")


if __name__ == "__main__":
    main()
