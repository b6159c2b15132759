"""`mlecurate metrics`: the registry as a curator writing a recipe's `metric` reads it."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from curation.cli import main
from validation.metrics import METRICS, Metric, find_metric


def test_the_list_holds_every_registered_metric_once_with_its_direction_and_meta_kaggle_names(capsys):
    assert main(["metrics", "--format", "csv"]) == 0
    listed = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert sorted(listed["metric"]) == sorted(METRICS) and listed["metric"].is_unique
    for row in listed.itertuples():
        metric = METRICS[row.metric]
        assert row.better == ("higher" if metric.higher_is_better else "lower")
        assert row.meta_kaggle_names == "; ".join(metric.meta_kaggle_names)  # none for iou_precision: a recipe names it
        for name in metric.meta_kaggle_names:  # each name listed finds its metric back (MAP@{K} as the dump has it)
            assert find_metric(name) is metric
    assert main(["metrics"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].split()[:2] == ["metric", "better"] and len(text) == len(METRICS) + 1
    assert [line.split()[0] for line in text[1:]] == sorted(METRICS)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("rmsle", "rmsle"),
        ("Root Mean Squared Logarithmic Error", "rmsle"),  # Meta Kaggle's EvaluationAlgorithmName
        ("root-mean-squared-logarithmic-error", "rmsle"),
        ("MEAN_COLUMNWISE_AUC", "mean_columnwise_auc"),
        ("QuadraticWeightedKappa", "quadratic_weighted_kappa"),
        ("Multiclass Loss (Deprecated)", "multiclass_log_loss"),
    ],
)
def test_a_metric_is_found_by_its_name_or_meta_kaggle_s_in_any_case(name, expected, capsys):
    assert find_metric(name) is METRICS[expected]
    assert main(["metrics", name]) == 0
    shown = dict(line.strip().split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert shown["metric"] == expected
    assert shown["better"] == ("higher" if METRICS[expected].higher_is_better else "lower")


def test_one_metric_shows_its_note_and_as_csv_one_row(capsys):
    assert main(["metrics", "smape"]) == 0
    assert "note: in percent, 0 to 200" in capsys.readouterr().out
    assert main(["metrics", "rmspe", "--format", "csv"]) == 0
    row = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(row["metric"]) == ["rmspe"] and row["note"].iloc[0] == METRICS["rmspe"].note


def test_a_metric_registered_later_is_listed(monkeypatch, capsys):
    monkeypatch.setitem(METRICS, "median_ae", Metric("median_ae", False, ("Median Absolute Error",),
                                                     lambda a, p: 0.0, "regression", "any_number", 0.0))  # fmt: skip
    assert main(["metrics", "Median Absolute Error"]) == 0
    assert "metric: median_ae" in capsys.readouterr().out


def test_a_name_mlecurate_does_not_grade_is_an_error_naming_the_nearest(capsys):
    assert find_metric("Weighted Mean Absolute Error") is None
    assert main(["metrics", "Weighted Mean Absolute Error"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "'Weighted Mean Absolute Error' is not a metric mlecurate grades (nearest: mae" in captured.err
    assert main(["metrics", "zzzz"]) == 2
    assert "'zzzz' is not a metric mlecurate grades: `mlecurate metrics` lists them" in capsys.readouterr().err
