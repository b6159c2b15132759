"""A competition's description (Markdown) as the workbench shows it: HTML that loads nothing by itself.

>>> description_html("![the data](https://storage.googleapis.com/kaggle-media/x.png)")
Markup('<p><a class="image-link" href="https://storage.googleapis.com/kaggle-media/x.png" rel="noreferrer">image: the data</a> ...')

CommonMark with tables (markdown-it's ``js-default``: raw HTML is shown as text, unsafe links are dropped). Kaggle's
texts embed pictures from the internet; an ``<img>`` would fetch them as the page opens (the workbench works
offline, and its Content-Security-Policy refuses them anyway), so each picture is a link with its alt text and
address instead: the curator follows it when wanted. A table column's alignment is a class, not an inline style, so
that the policy needs no ``'unsafe-inline'``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

ALIGNMENTS = ("left", "center", "right")  # markdown-it writes style="text-align:<one of these>" on table cells
SCRIPT_SCHEMES = ("javascript", "vbscript")
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
IGNORED_IN_ADDRESS = re.compile(r"[\t\n\r]")  # a browser drops these anywhere in an address


def description_html(text: str | None) -> Markup:
    """``text`` (Markdown) as HTML: pictures as links, no inline style."""
    return Markup(_MARKDOWN.render(text or ""))


def _image_as_link(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env).strip() or "no description"
    source = str(token.attrGet("src") or "")
    scheme = _scheme(source)
    if not source or scheme == "data":  # an embedded picture: no address worth a link
        return f'<span class="image-link">image: {escape(alt)} (embedded, not shown)</span>'
    if scheme in SCRIPT_SCHEMES:  # markdown-it drops these already; never a link, whatever it lets through
        return f'<span class="image-link">image: {escape(alt)} (a script address, not linked)</span>'
    return (
        f'<a class="image-link" href="{escape(source)}" rel="noreferrer">image: {escape(alt)}</a>'
        f' <span class="image-address">{escape(source)}</span>'
    )


def _scheme(address: str) -> str:
    """The address's scheme as a browser reads it, in lower case (``""`` for a relative address): schemes ignore
    case, so ``DATA:`` is ``data:``; leading spaces and control characters, and tabs and line breaks anywhere, are
    dropped first, as a browser does."""
    cleaned = IGNORED_IN_ADDRESS.sub("", address).lstrip("".join(map(chr, range(0x21))))
    found = SCHEME.match(cleaned)
    return found.group(1).lower() if found else ""


def _aligned_by_class(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    style = str(token.attrGet("style") or "")
    if style.startswith("text-align:") and style.removeprefix("text-align:") in ALIGNMENTS:
        token.attrs.pop("style")
        token.attrSet("class", f"align-{style.removeprefix('text-align:')}")
    return renderer.renderToken(tokens, idx, options, env)


_MARKDOWN = MarkdownIt("js-default")
_MARKDOWN.add_render_rule("image", _image_as_link)
_MARKDOWN.add_render_rule("th_open", _aligned_by_class)
_MARKDOWN.add_render_rule("td_open", _aligned_by_class)
