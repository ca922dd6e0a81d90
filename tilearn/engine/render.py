"""Markdown to safe HTML: Python-Markdown, then nh3; links rewritten and collected for lint."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
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

    kind: str  #: "section", "glossary", "asset", "image" or "external"
    target: str
    alt: str | None = None


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
