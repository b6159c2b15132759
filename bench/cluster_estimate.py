"""Estimate: preparing MLE-bench's 75 competitions at their real sizes, on W workers at a download bandwidth B
(issue 14, build point 5, the part on paper).

    python bench/cluster_estimate.py [--sample-mb 256] [--workers 1,2,4,8,16] [--gbits 0.1,1,10]

What a competition costs is measured here, in this run, on generated data through mlecurate's own code: unpacking a
zip (`validation.archives.extract_zip`), copying the files an image or audio competition publishes as they are
(`splits.public_files.copy_public_files`: read, sha256, write), and splitting a CSV (`splits.builder.build_split`).
Each competition of `../shared/data/mle-bench/competition_categories.csv` then takes, on one worker, its size over the
unpack rate plus its size over the copy rate (image, audio, video, segmentation, detection) or the split rate (the
rest). Downloads share the bandwidth and run two at a time (the `kaggle_downloads` pool); a downloaded competition
waits for a free worker; the schedule takes the largest first. A worker is one process on one core here: a machine
with more cores, or a faster disk, moves every figure; the rates printed are the ones to replace with another
machine's. Not modelled: Kaggle's own rate limits, the leaderboard and parity steps (seconds each), retries.
"""

from __future__ import annotations

import argparse
import heapq
import os
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data"
CATEGORIES = SHARED / "mle-bench" / "competition_categories.csv"
FILE_KINDS = ("image", "audio", "video", "segmentation", "detection")  # categories whose data are files, not rows


@dataclass(frozen=True)
class Rates:
    unpack: float  # GB/s, one worker
    copy: float
    split: float


@dataclass(frozen=True)
class Competition:
    slug: str
    gigabytes: float
    files: bool  # published as files (images, audio), not split as rows

    def work_seconds(self, rates: Rates) -> float:
        return self.gigabytes / rates.unpack + self.gigabytes / (rates.copy if self.files else rates.split)


def measure_rates(work: Path, sample_mb: int) -> Rates:
    """Each rate from one run over about ``sample_mb`` MB of generated data."""
    sys.path.insert(0, str(PROJECT))
    from splits.builder import build_split
    from splits.public_files import PublicFile, copy_public_files
    from validation.archives import extract_zip
    from validation.split_recipe import parse_recipe

    files = work / "files"
    files.mkdir()
    count, size = max(sample_mb * 4, 1), 256 * 1024  # 256 KB "images": random bytes do not compress, as JPEGs
    archive = work / "images.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as bundle:
        for index in range(count):
            bundle.writestr(f"train/{index:06d}.jpg", os.urandom(size))
    gigabytes = count * size / 1e9
    unpack = _rate(gigabytes, lambda: extract_zip(archive, work / "unpacked"))
    unpacked = sorted((work / "unpacked").rglob("*.jpg"))
    entries = [PublicFile(p, PurePosixPath(p.relative_to(work / "unpacked").as_posix()), "train/") for p in unpacked]
    copy = _rate(gigabytes, lambda: copy_public_files(entries, work / "public"))

    import duckdb

    rows = sample_mb * 7_000  # about 140 bytes a row
    (work / "csv").mkdir()
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"""COPY (SELECT i AS id, random() AS a, random() * 1000 AS b, 'text ' || (i % 9973) AS c, i % 2 AS y,
                             md5(i::VARCHAR) AS d FROM range({rows}) t(i))
                TO '{work / "csv" / "train.csv"}' (FORMAT CSV, HEADER true)"""
        )
    csv_gb = (work / "csv" / "train.csv").stat().st_size / 1e9
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"]}, "estimate")
    split = _rate(csv_gb, lambda: build_split(recipe, work / "csv", work / "split", "estimate"))
    return Rates(unpack, copy, split)


def _rate(gigabytes: float, run) -> float:
    start = time.perf_counter()
    run()
    return gigabytes / (time.perf_counter() - start)


def read_competitions() -> list[Competition]:
    import pandas as pd

    table = pd.read_csv(CATEGORIES)
    return [
        Competition(row.competition_id, float(row.dataset_size_GB), any(k in row.category.lower() for k in FILE_KINDS))
        for row in table.itertuples()
    ]


def hours(competitions: list[Competition], rates: Rates, workers: int, gigabits: float, slots: int = 2) -> float:
    """The makespan of downloading (``slots`` at a time, sharing ``gigabits`` per second) and then working each
    competition on one of ``workers``, largest first: an event-by-event simulation."""
    bandwidth = gigabits / 8  # GB/s
    waiting = sorted(competitions, key=lambda c: -c.gigabytes)
    downloading: dict[str, float] = {}  # slug -> GB left
    by_slug = {c.slug: c for c in competitions}
    ready: list[tuple[float, str]] = []  # downloaded, waiting for a worker: largest first
    running: list[tuple[float, str]] = []  # (finish time, slug)
    free, now = workers, 0.0
    while waiting or downloading or ready or running:
        while waiting and len(downloading) < slots:
            downloading[waiting[0].slug] = waiting[0].gigabytes
            waiting.pop(0)
        while ready and free:
            _, slug = heapq.heappop(ready)
            heapq.heappush(running, (now + by_slug[slug].work_seconds(rates), slug))
            free -= 1
        share = bandwidth / len(downloading) if downloading else 0.0
        next_download = min(downloading.values()) / share if downloading else float("inf")
        next_work = running[0][0] - now if running else float("inf")
        step = min(next_download, next_work)
        now += step
        for slug in list(downloading):
            downloading[slug] -= share * step
            if downloading[slug] <= 1e-12:
                del downloading[slug]
                heapq.heappush(ready, (-by_slug[slug].gigabytes, slug))
        while running and running[0][0] <= now + 1e-9:
            heapq.heappop(running)
            free += 1
    return now / 3600


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-mb", type=int, default=256, help="generated data per measured rate (default 256)")
    parser.add_argument("--workers", default="1,2,4,8,16", help="worker counts, comma-separated")
    parser.add_argument("--gbits", default="0.1,1,10", help="download bandwidths in Gbit/s, comma-separated")
    args = parser.parse_args()
    competitions = read_competitions()
    work = Path(tempfile.mkdtemp(prefix="mlecurate-cluster-estimate-"))
    try:
        rates = measure_rates(work, args.sample_mb)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = sum(c.gigabytes for c in competitions)
    as_files = sum(c.gigabytes for c in competitions if c.files)
    print(f"machine: {os.cpu_count()} cores; rates measured here, one worker each: unpack {rates.unpack:.2f} GB/s, "
          f"copy published files {rates.copy:.2f} GB/s, split a CSV {rates.split:.2f} GB/s")  # fmt: skip
    print(f"MLE-bench: {len(competitions)} competitions, {total:,.0f} GB ({as_files:,.0f} GB of them files)")
    bandwidths = [float(b) for b in args.gbits.split(",")]
    print(f"\nhours to prepare all of them: {'workers':>8} " + "".join(f"{b:>10g} Gbit/s" for b in bandwidths))
    for workers in (int(w) for w in args.workers.split(",")):
        row = "".join(f"{hours(competitions, rates, workers, b):>17.1f}" for b in bandwidths)
        print(f"{'':29} {workers:>8} {row}")
    floor = "".join(f"{total / (b / 8) / 3600:>17.1f}" for b in bandwidths)
    print(f"{'':29} {'download':>8} {floor}   (the bandwidth alone)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
