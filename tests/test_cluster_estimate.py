"""bench/cluster_estimate.py's schedule: downloads two at a time sharing the bandwidth, then one worker each."""

import importlib.util
import sys

import pytest

from tests.conftest import PROJECT

spec = importlib.util.spec_from_file_location("cluster_estimate", PROJECT / "bench" / "cluster_estimate.py")
estimate = sys.modules.setdefault("cluster_estimate", importlib.util.module_from_spec(spec))
spec.loader.exec_module(estimate)

RATES = estimate.Rates(unpack=1.0, copy=1.0, split=0.5)  # GB/s
GBIT = 8.0  # 8 Gbit/s = 1 GB/s


def test_one_competition_downloads_then_works():
    files = estimate.Competition("a", 3600.0, files=True)  # 3600 s to download, 3600 + 3600 s of work
    assert estimate.hours([files], RATES, workers=1, gigabits=GBIT) == pytest.approx(3.0)
    rows = estimate.Competition("b", 3600.0, files=False)  # a CSV splits at half the copy rate
    assert estimate.hours([rows], RATES, workers=1, gigabits=GBIT) == pytest.approx(4.0)


def test_two_downloads_share_the_bandwidth_and_workers_run_side_by_side():
    pair = [estimate.Competition(s, 1800.0, files=True) for s in "ab"]  # both download at 0.5 GB/s: 1 h
    assert estimate.hours(pair, RATES, workers=2, gigabits=GBIT) == pytest.approx(2.0)  # then 1 h of work each
    assert estimate.hours(pair, RATES, workers=1, gigabits=GBIT) == pytest.approx(3.0)  # one after the other
    three = [*pair, estimate.Competition("c", 1800.0, files=True)]  # the third waits for a download slot
    assert estimate.hours(three, RATES, workers=3, gigabits=GBIT) == pytest.approx(2.5)


def test_the_real_table_reads_every_competition():
    competitions = estimate.read_competitions()
    assert len(competitions) == 75
    assert sum(c.gigabytes for c in competitions) == pytest.approx(3283.69, abs=0.01)
    assert 0 < sum(c.files for c in competitions) < 75
