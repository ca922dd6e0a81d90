"""Markdown to safe HTML: Python-Markdown, then nh3; links rewritten and collected for lint."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


@dataclass(frozen=True)
class LinkStyle:
    """Where rendered links point; must match the web routes that serve them."""

    section: str = "/learn/{module}/{section}"
    glossary: str = "/glossary#{term}"
    asset: str = "/learn/{module}/assets/{path}"


@dataclass
class Reference:
    """A link or image found while rendering, kept for the linter."""

    kind: str  #: "section", "glossary", "asset", "image", "external" or "html" (raw HTML that is removed)
    target: str
    alt: str | None = None  #: an image's alt text; for "html", what is removed


@dataclass
class Rendered:
    """Sanitised HTML and the references found in it."""

    html: str
    references: list[Reference] = field(default_factory=list)


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}}
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class _RemovedHtml(HTMLParser):
    """Collects the tags and attributes of raw HTML that the sanitiser would remove."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._add(f"<{tag}>")
            return
        for name, _value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self._add(f"'{name}' on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        """Comments are notes for trainers: removed, and not worth a warning."""

    def _add(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)


def removed_html(raw: str) -> str:
    """The tags and attributes in a piece of raw HTML that learners would not get, or ''."""
    parser = _RemovedHtml()
    parser.feed(raw)
    parser.close()
    return ", ".join(parser.removed)


class _LinkRewriter(Treeprocessor):
    """Rewrite glossary:, #section and relative asset links; note each for the linter."""

    def __init__(self, md: markdown.Markdown, owner: Renderer) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a" and element.get("href") is not None:
                element.set("href", self.owner._link(element.get("href", ""), image=False))
            elif element.tag == "img":
                self.owner._references.append(Reference("image", element.get("src", ""), element.get("alt")))
                element.set("src", self.owner._link(element.get("src", ""), image=True))


class _Links(Extension):
    def __init__(self, owner: Renderer) -> None:
        super().__init__()
        self.owner = owner

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_LinkRewriter(md, self.owner), "tilearn-links", 5)


class Renderer:
    """Render module markdown to sanitised HTML for one module at a time."""

    def __init__(self, links: LinkStyle | None = None) -> None:
        self.links = links or LinkStyle()
        self.module_id = ""
        self._references: list[Reference] = []
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", _Links(self)],
            output_format="html",
        )

    def render(self, text: str, inline: bool = False) -> Rendered:
        """Markdown to sanitised HTML; ``inline`` drops a single wrapping paragraph."""
        self._references = []
        self._md.reset()
        html = self._md.convert(text)
        for raw in self._md.htmlStash.rawHtmlBlocks:
            if isinstance(raw, str) and (removed := removed_html(raw)):
                self._references.append(Reference("html", raw.strip().splitlines()[0][:60], removed))
        if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        clean = nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
        return Rendered(clean, self._references)

    def _link(self, target: str, image: bool) -> str:
        """The URL a learner's browser should use for a link written in a module."""
        if target.startswith("glossary:"):
            term = target.removeprefix("glossary:")
            self._references.append(Reference("glossary", term))
            return self.links.glossary.format(term=quote(term))
        if target.startswith("#"):
            self._references.append(Reference("section", target[1:]))
            return self.links.section.format(module=self.module_id, section=quote(target[1:]))
        if SCHEME.match(target) or target.startswith("//"):
            if not image:
                self._references.append(Reference("external", target))
            return target
        if target.startswith("/"):
            return target
        path = urlsplit(target).path
        if not image:
            self._references.append(Reference("asset", path))
        return self.links.asset.format(module=self.module_id, path=quote(path))
