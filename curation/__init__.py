"""Curation: from Meta Kaggle to the curated benchmark, and the people who decide it.

- ``sources/``: everything from outside behind one ``Source`` protocol (the demo, a local folder or mirror, Kaggle);
- ``meta_kaggle``, ``meta_kaggle_load``, ``candidate_rules``: the competitions table and its screening;
- ``annotations``, ``curated``, ``mlebench_import``, ``demo_annotations``: curators' annotations and consolidation;
- ``queue``, ``competition_profile``: what curators review (the annotation queue, everything about one competition);
- ``competition_data``, ``leaderboard_history``, ``mlebench_leaderboards``, ``split_parity``: per-competition steps;
- ``settings`` (the one place the environment is read), ``warehouse``; ``cli/``: the ``mlecurate`` command line.

Plain Python (no Dagster): a notebook or another orchestrator can call every function here.
"""
