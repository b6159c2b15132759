"""Benchmark: the suggested complexity against MLE-bench's own labels, leave-one-out (issue 15, build point 5).

    python bench/complexity_prior.py [--data ../shared/data] [--seeds 0]

Goes the way the pipeline goes, in a temporary data root: MLE-bench's competition_categories.csv imported as curator
``mle-bench`` (``curation.mlebench_import``), its leaderboards imported as snapshots
(``curation.mlebench_leaderboards``), Meta Kaggle's March 2024 Competitions.csv read (``curation.meta_kaggle``); then
``curation.complexity_features`` and ``curation.complexity_prior`` as ``candidate_competitions`` calls them. Each of
the 73 labelled competitions in the dump is suggested by a model trained on the other 72.

Prints the accuracy, the majority baseline (always the commonest level), the facts-only figure (the same forest on
the issue's Meta Kaggle facts: counts, size, duration, reward, year, segment), the confusion matrix and how many
suggestions are two levels off. ``--seeds 0 1 2`` repeats it with other forest seeds (the figure moves by a few
hundredths between seeds: 73 labels are few). Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from curation.annotations import AnnotationStore  # noqa: E402
from curation.complexity_features import FACTS_ONLY, board_statistics, complexity_features, data_facts  # noqa: E402
from curation.complexity_prior import LeaveOneOut, agreed_complexities, leave_one_out  # noqa: E402
from curation.meta_kaggle import read_competitions  # noqa: E402
from curation.mlebench_import import import_mlebench_categories  # noqa: E402
from curation.mlebench_leaderboards import import_mlebench_leaderboards  # noqa: E402
from validation.data_root import DataRoot  # noqa: E402

DATA = PROJECT.parent / "shared" / "data"


@dataclass(frozen=True)
class Evaluation:
    model: LeaveOneOut  # every feature
    facts_only: LeaveOneOut  # the facts-only set
    majority: float  # the commonest level's share
    majority_level: str


def labelled_features(data: Path, workdir: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Features of every competition in the dump and MLE-bench's labels, through the pipeline's own imports."""
    root = DataRoot(workdir / "home")
    store = AnnotationStore(root.annotations)
    import_mlebench_categories(data / "mle-bench" / "competition_categories.csv", store)
    competitions = read_competitions(data / "meta-kaggle" / "Competitions.csv").table.to_pandas()
    directions = dict(zip(competitions["slug"], competitions["evaluation_algorithm_is_max"], strict=True))
    import_mlebench_leaderboards(data / "mle-bench" / "competitions", root,
                                 {s: bool(d) for s, d in directions.items() if pd.notna(d)})  # fmt: skip
    annotations = store.all()
    features = complexity_features(competitions, board_statistics(root), data_facts(root, annotations))
    return features, agreed_complexities(annotations)


def evaluate(data: Path = DATA, seed: int = 0) -> Evaluation:
    with tempfile.TemporaryDirectory(prefix="complexity-prior-") as workdir:
        features, labels = labelled_features(data, Path(workdir))
    labels = labels[labels.index.isin(features.index)]
    shares = labels.value_counts(normalize=True)
    return Evaluation(
        model=leave_one_out(features, labels, seed=seed),
        facts_only=leave_one_out(features, labels, columns=FACTS_ONLY, seed=seed),
        majority=float(shares.iloc[0]),
        majority_level=str(shares.index[0]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (meta-kaggle/, mle-bench/)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="forest seeds, one evaluation each")
    args = parser.parse_args()
    for seed in args.seeds:
        started = time.perf_counter()
        result = evaluate(args.data, seed)
        labels = result.model.labels
        print(f"seed {seed}: {len(labels)} of MLE-bench's labelled competitions in the dump "
              f"({', '.join(f'{n} {level}' for level, n in labels.value_counts().items())})")  # fmt: skip
        print(f"  leave-one-out accuracy:   {result.model.accuracy:.3f}  (every feature)")
        print(f"  facts-only forest:        {result.facts_only.accuracy:.3f}")
        print(f"  majority baseline:        {result.majority:.3f}  (always {result.majority_level})")
        print(f"  two levels off:           {result.model.two_levels_off} (facts-only: "
              f"{result.facts_only.two_levels_off})")  # fmt: skip
        print("  confusion (rows: MLE-bench's level, columns: suggested):")
        print("    " + result.model.confusion().to_string().replace("\n", "\n    "))
        print(f"  {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
