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

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

ALIGNMENTS = ("left", "center", "right")  # markdown-it writes style="text-align:<one of these>" on table cells


def description_html(text: str | None) -> Markup:
    """``text`` (Markdown) as HTML: pictures as links, no inline style."""
    return Markup(_MARKDOWN.render(text or ""))


def _image_as_link(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env).strip() or "no description"
    source = str(token.attrGet("src") or "")
    if not source or source.startswith("data:"):  # an embedded picture: no address worth a link
        return f'<span class="image-link">image: {escape(alt)} (embedded, not shown)</span>'
    return (
        f'<a class="image-link" href="{escape(source)}" rel="noreferrer">image: {escape(alt)}</a>'
        f' <span class="image-address">{escape(source)}</span>'
    )


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
