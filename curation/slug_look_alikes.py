"""Slugs a slug is probably a misspelling of: ``look_alikes("histopathologic-cancer-detektion", dump_slugs)``.

A slug outside Meta Kaggle's dump is either a competition the dump lacks (launched after it, or left out of it) or a
typo. A typo reads almost as a dump slug does; a sequel or a series' next round differs from one only in its numbers
(``playground-series-s4e5`` beside ``s4e3``, ``...-essay-scoring-2`` beside ``...-essay-scoring``), so a difference of
numbers alone (and the separators before them) is not taken for one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

LOOK_ALIKE_CUTOFF = 0.9  # difflib's similarity: one or two letters apart in a slug of twenty


def look_alikes(slug: str, known: Iterable[str]) -> list[str]:
    """The ``known`` slugs ``slug`` reads almost as (the same letters but for case, or difflib's ratio at least
    ``LOOK_ALIKE_CUTOFF`` with more than digits and separators between them), closest first; [] for a known slug."""
    known = list(known)
    if slug in known:
        return []
    letters = _letters(slug)
    same_case = [k for k in known if k.casefold() == slug.casefold()]
    close = difflib.get_close_matches(slug, known, n=3, cutoff=LOOK_ALIKE_CUTOFF)
    return list(dict.fromkeys(same_case + [k for k in close if _letters(k) != letters]))


def _letters(slug: str) -> str:
    """The slug without its numbers and the separators before them (``essay-scoring-2``, ``s4e5``): a sequel's or a
    round's differ only there; other separators stay (``cancer_detection`` for ``cancer-detection`` is a typo)."""
    return re.sub(r"[\W_]*\d+", "", slug).casefold()
