"""How a message echoes what it was given: hostile input (a 9 MB cell, 200,000 column names) never makes a message,
an error or a report huge.

>>> shown("x" * 1000)          # 'xxx...x... (1,000 characters)', cut to MAX_SHOWN_CHARS
>>> shown_list(range(12))      # '0, 1, 2, 3, 4 and 7 more'
"""

from __future__ import annotations

MAX_SHOWN_CHARS = 200  # a value echoed into a message or report is cut to this
MAX_SHOWN_ITEMS = 5  # a list echoed into a message shows this many, then how many more


def shown(value) -> str:
    """``value`` as a message echoes it: its text, cut to ``MAX_SHOWN_CHARS`` with the full length said."""
    text = str(value)
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return f"{text[:MAX_SHOWN_CHARS]}... ({len(text):,} characters)"


def shown_list(values) -> str:
    """The first ``MAX_SHOWN_ITEMS`` of ``values``, each :func:`shown`, then how many more (``a, b, c and 7 more``)."""
    values = list(values)
    listed = ", ".join(shown(v) for v in values[:MAX_SHOWN_ITEMS])
    more = len(values) - MAX_SHOWN_ITEMS
    return f"{listed} and {more:,} more" if more > 0 else listed
