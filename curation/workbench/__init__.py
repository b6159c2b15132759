"""The curators' workbench: a local web page to annotate competitions from the queue (``mlecurate serve``).

>>> from curation.workbench.app import workbench_app
>>> app = workbench_app(Settings.from_environment(), min_curators=2)   # a Starlette app; uvicorn serves it

| module | holds |
|---|---|
| ``app`` | the routes and handlers (they only wire), the curator's cookie |
| ``curator_queue`` | the queue: what needs a decision (:mod:`curation.queue`'s status and order), its filters, progress |
| ``competition_page`` | everything about one competition, read-only, and its leaderboard picture |
| ``annotation_form`` | the form's fields as the annotation store's changes, the recipe validated |
| ``description_html`` | a competition's description as HTML that loads nothing (pictures as links) |
| ``templates/``, ``static/`` | the HTML (Jinja2) and the page's own CSS and keyboard script: nothing from the internet |

Like the rest of ``curation``, no Dagster: the page reads the warehouse read-only and writes annotations only
through :class:`curation.annotations.AnnotationStore`.
"""
