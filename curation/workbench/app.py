"""The curators' workbench as a web application: the queue, a competition's page and the annotation form.

>>> app = workbench_app(Settings.from_environment(), min_curators=MIN_CURATORS)
>>> uvicorn.run(app, host="127.0.0.1", port=3100)       # what `mlecurate serve` does

Starlette (with Jinja2 templates, served by uvicorn): the web library the Dagster webserver is built on, so it is
well kept and already installed. Pages are rendered on the server; one small script (``static/workbench.js``) adds
the keyboard shortcuts, and nothing is fetched from the internet: every response says so to the browser
(``Content-Security-Policy: default-src 'self'``), and a description's pictures are links
(:mod:`curation.workbench.description_html`). Handlers only wire: the queue is
:mod:`curation.workbench.curator_queue`, a page :mod:`curation.workbench.competition_page`, the form
:mod:`curation.workbench.annotation_form`, and every annotation is written by :class:`AnnotationStore` (its lock,
validation and atomic write, as ``mlecurate annotate``). The warehouse is only ever opened read-only.

The curator's name is asked once and kept in a cookie (``SameSite=Strict``: a form posted from another site carries
no name, so it saves nothing); a post whose ``Origin`` is another site is refused as well. A save that arrives
without the name (the cookie expired or was cleared) saves nothing either: the page asks for the name and carries
what was typed through, back into the form, to be saved then.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from curation.annotations import (
    COMPLEXITIES,
    COMPLEXITY_HOURS,
    DECISIONS,
    AnnotationError,
    AnnotationStore,
    validate_curator_name,
    validate_slug,
)
from curation.curated import DISPUTED, annotations_frame
from curation.queue import MIN_CURATORS
from curation.settings import Settings
from curation.warehouse import MissingTableError, Warehouse, WarehouseError
from curation.workbench.annotation_form import MAX_FORM_BYTES, FormError, form_changes, parse_form
from curation.workbench.competition_page import competition_page, leaderboard_picture
from curation.workbench.curator_queue import (
    SCREENING_LABELS,
    STATUS_BADGES,
    STATUS_LABELS,
    QueueFilterError,
    QueueFilters,
    curator_queue,
)
from curation.workbench.description_html import description_html
from validation.data_root import CANDIDATES, DataRoot
from validation.split_recipe import RecipeError

HERE = Path(__file__).parent
COOKIE = "mlecurate_curator"
COOKIE_SECONDS = 400 * 24 * 3600  # browsers keep a cookie at most 400 days
LOCK_TIMEOUT_SECONDS = 15  # a page waits this long for a pipeline step to release the warehouse
QUEUE_ROWS_SHOWN = 500  # more rows than a curator reads; the filters narrow the rest
# The page loads its own script, style and pictures only (no inline script or style: none is needed).
CONTENT_SECURITY_POLICY = "default-src 'self'"
NAME_FIELD = "curator"  # the name form's field, also in a save that arrives without the name cookie


class Workbench:
    """What the handlers share: the data root, the annotation store, the warehouse (read-only) and the templates."""

    def __init__(self, root: DataRoot, min_curators: int):
        self.root, self.min_curators = root, min_curators
        self.store = AnnotationStore(root.annotations)
        self.warehouse = Warehouse(root.warehouse, lock_timeout=LOCK_TIMEOUT_SECONDS)
        self._turns: dict[str, threading.Lock] = {}
        self._turns_lock = threading.Lock()
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.filters["markdown"] = description_html
        self.templates.env.filters["bytes"] = _bytes_text
        self.templates.env.filters["breakable"] = _breakable
        self.templates.env.globals.update(
            COMPLEXITIES=COMPLEXITIES, COMPLEXITY_HOURS=COMPLEXITY_HOURS, DECISIONS=DECISIONS,
            STATUS_LABELS=STATUS_LABELS, STATUS_BADGES=STATUS_BADGES, SCREENING_LABELS=SCREENING_LABELS,
            DISPUTED=DISPUTED, min_curators=min_curators, home=root.path,
        )  # fmt: skip

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> Response:
        context.setdefault("curator", curator_of(request))
        context.setdefault("here", _here(request))
        return self.templates.TemplateResponse(request, template, context, status_code=status_code)

    def saving_turn(self, slug: str) -> threading.Lock:
        """One save of ``slug`` at a time in this process (handlers run in a thread pool): each save's pull and push
        of the competition's annotations (``saving``) finish before the next one starts."""
        with self._turns_lock:
            return self._turns.setdefault(slug, threading.Lock())

    def queue(self, curator: str | None, filters: QueueFilters):
        """The curator's queue; a damaged annotation file is left out of it and named (``unreadable``), so one file
        does not make every page an error."""
        candidates = self.warehouse.read_table(CANDIDATES)
        annotations, unreadable = self.store.readable()
        found = curator_queue(candidates, annotations_frame(annotations), curator, self.min_curators, filters)
        return replace(found, unreadable=[str(error) for error in unreadable])


def workbench_app(
    settings: Settings, min_curators: int = MIN_CURATORS, saving: Callable[[str], AbstractContextManager] | None = None
) -> Starlette:
    """The workbench over the data root ``settings`` points at; a competition is done when ``min_curators``
    curators decided it alike. ``saving(slug)`` wraps every save, one at a time per competition (``mlecurate serve`` pulls the competition's
    annotations from an ``s3://`` home before and pushes them after); nothing by default."""
    bench = Workbench(settings.data_root(), min_curators)
    saving = saving or (lambda slug: contextlib.nullcontext())

    # Handlers that read files are plain functions: Starlette runs them in its thread pool, off the event loop.
    def queue_page(request: Request) -> Response:
        curator = curator_of(request)
        if curator is None:
            return _ask_name(request)
        filters = QueueFilters.from_query(request.query_params)
        found = bench.queue(curator, filters)
        return bench.render(request, "queue.html", queue=found, filters=filters, rows=found.rows[:QUEUE_ROWS_SHOWN],
                            hidden=max(len(found.rows) - QUEUE_ROWS_SHOWN, 0))  # fmt: skip

    def competition(request: Request) -> Response:
        curator = curator_of(request)
        if curator is None:
            return _ask_name(request)
        if _slug(request) is None:
            return _not_a_slug(request)
        return _competition_view(request, curator)

    def _competition_view(
        request: Request, curator: str, status: int = 200, error: str = "", form=None, notice: str = ""
    ) -> Response:
        slug = request.path_params["slug"]
        filters = QueueFilters.from_query(request.query_params)
        page = competition_page(slug, bench.warehouse, bench.root, bench.store, curator)
        if not page.profile.known:
            return bench.render(request, "error.html", 404, title="Unknown competition",
                                message=f"nothing known about {slug!r}: not in the warehouse and no annotations")  # fmt: skip
        previous, following = bench.queue(curator, filters).neighbours(slug)
        return bench.render(request, "competition.html", status, page=page, filters=filters, previous=previous,
                            following=following, error=error, form=form or {}, notice=notice, curator=curator,
                            saved=request.query_params.get("saved") == "1",
                            comments_lost=_count(request.query_params.get("comments_lost")))  # fmt: skip

    async def save(request: Request) -> Response:
        curator = curator_of(request)
        if not _same_origin(request):
            return PlainTextResponse("refused: a form posted from another site", status_code=403)
        form = parse_form(await _body(request))
        if curator is None:
            return await run_in_threadpool(_name_then_form, request, form)
        return await run_in_threadpool(_save, request, curator, form)

    def _name_then_form(request: Request, form: dict[str, str]) -> Response:
        """A save without the name: nothing is saved. The curator gives the name on a page that carries the typed
        fields through; then the competition's page shows them in the form, unsaved, to check and save."""
        if _slug(request) is None:
            return _not_a_slug(request)
        name = form.pop(NAME_FIELD, None)
        carried = {key: value for key, value in form.items() if key != "then"}
        error = _curator_error(name) if name is not None else ""
        if name is None or error:
            return bench.render(request, "curator.html", 400 if error else 403, next=_here(request), carried=carried,
                                slug=request.path_params["slug"], name=name or "", error=error)  # fmt: skip
        notice = f"Not saved yet: your name is now {name}; check the form, then save."
        response = _competition_view(request, name, 200, form=carried, notice=notice)
        _remember(response, name)
        return response

    def _save(request: Request, curator: str, form: dict[str, str]) -> Response:
        slug = _slug(request)
        if slug is None:
            return _not_a_slug(request)
        filters = QueueFilters.from_query(request.query_params)
        if not (bench.store.has_annotations(slug) or bench.warehouse.competition(slug)):
            return PlainTextResponse(f"unknown competition {slug!r}: nothing saved", status_code=404)
        lost = 0
        try:
            changes = form_changes(form, where=f"the split recipe of {slug} by {curator}")
            following = bench.queue(curator, filters).neighbours(slug)[1]
            if changes:
                with bench.saving_turn(slug), saving(slug):
                    lost = bench.store.save(slug, curator, changes).comments_lost
        except (FormError, RecipeError, AnnotationError) as error:
            return _competition_view(request, curator, 400, f"Not saved: {error}", form)
        query = filters.query_string()
        if form.get("then") == "next" and following and not lost:  # lost comments are said on this page
            return _redirect(f"/competitions/{quote(following)}", query)
        said = ("saved=1", f"comments_lost={lost}" if lost else "", query)
        return _redirect(f"/competitions/{quote(slug)}", "&".join(p for p in said if p))

    def picture(request: Request) -> Response:
        slug = _slug(request)
        if slug is None:
            return PlainTextResponse("not a competition slug", status_code=404)
        facts = bench.warehouse.competition(slug) if bench.warehouse.path.exists() else {}
        chart = leaderboard_picture(bench.root, slug, facts)
        if isinstance(chart, str):
            return PlainTextResponse(chart, status_code=404)
        return Response(chart.png, media_type="image/png", headers={"Cache-Control": "no-store"})

    def name_form(request: Request) -> Response:
        return bench.render(request, "curator.html", next=_local(request.query_params.get("next", "/")))

    async def set_name(request: Request) -> Response:
        if not _same_origin(request):
            return PlainTextResponse("refused: a form posted from another site", status_code=403)
        form = parse_form(await _body(request))
        name, target = form.get("curator", "").strip(), _local(form.get("next", "/"))
        error = _curator_error(name)
        if error:
            return bench.render(request, "curator.html", 400, next=target, error=error, name=name)
        response = RedirectResponse(target, status_code=303)
        _remember(response, name)
        return response

    def _not_a_slug(request: Request) -> Response:
        return bench.render(request, "error.html", 404, title="Not a competition",
                            message=f"{request.path_params['slug']!r} is not a Kaggle competition slug")  # fmt: skip

    async def bad_filter(request: Request, error: Exception) -> Response:
        return bench.render(request, "error.html", 400, title="Filter not understood", message=str(error))

    async def not_built(request: Request, error: Exception) -> Response:
        return bench.render(request, "error.html", 503, title="The warehouse is not ready", message=str(error))

    async def bad_form(request: Request, error: Exception) -> Response:
        return bench.render(request, "error.html", 400, title="Form not understood", message=str(error))

    async def bad_annotation(request: Request, error: Exception) -> Response:
        return bench.render(request, "error.html", 500, title="An annotation cannot be read", message=str(error))

    routes = [
        Route("/", queue_page),
        Route("/curator", name_form, methods=["GET"]),
        Route("/curator", set_name, methods=["POST"]),
        Route("/competitions/{slug}", competition, methods=["GET"]),
        Route("/competitions/{slug}", save, methods=["POST"]),
        Route("/competitions/{slug}/leaderboard.png", picture),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers = {QueueFilterError: bad_filter, FormError: bad_form, MissingTableError: not_built,
                WarehouseError: not_built, AnnotationError: bad_annotation}  # fmt: skip
    return Starlette(routes=routes, exception_handlers=handlers, middleware=[Middleware(ContentSecurityPolicy)])


class ContentSecurityPolicy:
    """Every response tells the browser to load script, style, pictures and fonts from this server only."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        return await self.app(scope, receive, sending)


def curator_of(request: Request) -> str | None:
    """The curator's name from the cookie, when it is a valid name."""
    name = request.cookies.get(COOKIE)
    try:
        return validate_curator_name(name) if name else None
    except AnnotationError:
        return None


def _curator_error(name: str) -> str:
    """Why ``name`` cannot be a curator's name, or "" when it can."""
    try:
        validate_curator_name(name)
    except AnnotationError as error:
        return str(error)
    return ""


def _count(value: str | None) -> int:
    """A count from the address (0 when it is none)."""
    return int(value) if value and value.isascii() and value.isdigit() else 0  # "²" is a digit int() refuses


def _remember(response: Response, name: str) -> None:
    response.set_cookie(COOKIE, name, max_age=COOKIE_SECONDS, httponly=True, samesite="strict")


def _slug(request: Request) -> str | None:
    """The competition slug in the address, or None when it cannot be one (never a path outside the data root)."""
    try:
        return validate_slug(request.path_params["slug"])
    except AnnotationError:
        return None


def _ask_name(request: Request) -> Response:
    return RedirectResponse(f"/curator?{urlencode({'next': _here(request)})}", status_code=303)


def _here(request: Request) -> str:
    """This page's path and query (its filters), to come back to."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _redirect(path: str, query: str) -> Response:
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def _local(target: str) -> str:
    """``target`` when it is a path on this server, else "/" (never a redirect to another site)."""
    parts = urlsplit(target)
    return target if target.startswith("/") and not target.startswith("//") and not parts.netloc else "/"


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


async def _body(request: Request) -> bytes:
    """The request's body, read no further than a form may be (a larger one is refused, not buffered)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormError(f"the form is larger than {MAX_FORM_BYTES:,} bytes; a recipe and a note are far smaller")
    return bytes(body)


def _breakable(text: str) -> Markup:
    """``text`` that a narrow column may break after each underscore (``mean_columnwise_auc``), not mid-word."""
    return Markup("_<wbr>").join(escape(part) for part in str(text).split("_"))


def _bytes_text(size: int | None) -> str:
    if size is None:
        return "missing"
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""
