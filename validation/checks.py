"""Check declarations: each check's name, what it asks, and whether a failure stops the step; declared once, here
or beside the code that runs it, and turned into the orchestrator's check specs from there.

>>> IDS_DISJOINT = Check("ids_disjoint", "No id (or identical row) in both the new train and test sets.", blocking=True,
...                      remedy="Split by group on the repeated id, so its rows stay on one side.")

Texts are read in the UI, which renders them as Markdown: a placeholder goes in backticks (`prepared/<slug>`), or it
is lost as an HTML tag.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    blocking: bool = False  # a failure stops the step before anything is written
    severity: str = "error"  # error | warning: how a failure is shown
    remedy: str = ""  # what to do when it fails, in a curator's words
