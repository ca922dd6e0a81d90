"""Content is data, never code: what survives rendering, and how YAML is loaded."""

from __future__ import annotations

import time

import pytest

from tilearn.engine.frontmatter import FrontMatterError, load_yaml
from tilearn.engine.render import Renderer

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src="x.png" alt="x" onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name="p"></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<scr<script>ipt>alert(1)</script>",
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onclick",
    "onload",
    "javascript:",
    "data:",
    "<iframe",
    "<svg",
    "<style",
    "<form",
    "<input",
    "<object",
    "<embed",
    "style=",
    "vbscript:",
    "xlink:href",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dangerous_markup_never_survives(payload):
    renderer = Renderer()
    renderer.module_id = "m"
    html = renderer.render(f"Before\n\n{payload}\n\nAfter").html.lower()
    for needle in FORBIDDEN:
        assert needle not in html, f"{needle!r} survived in {html!r}"
    assert "before" in html and "after" in html


def test_ordinary_markdown_and_safe_links_survive():
    renderer = Renderer()
    renderer.module_id = "m"
    html = renderer.render(
        "Some **bold** and a [site](https://example.org), a [term](glossary:grounding), "
        "a [section](#two) and ![A chart](images/chart.png)"
    ).html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'href="/glossary#grounding"' in html
    assert 'href="/learn/m/two"' in html
    assert 'src="/learn/m/assets/images/chart.png"' in html and 'alt="A chart"' in html


def test_a_yaml_alias_bomb_is_rejected_quickly():
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        bomb.append(f"{chr(97 + level)}: &{chr(97 + level)} [" + ", ".join([f"*{chr(96 + level)}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(FrontMatterError) as raised:
        load_yaml("\n".join(bomb), first_line=2)
    assert time.perf_counter() - started < 1.0
    assert raised.value.line == 2
    assert "anchors and aliases" in str(raised.value)


def test_yaml_tags_that_build_objects_are_refused():
    with pytest.raises(FrontMatterError):
        load_yaml("title: !!python/object/apply:os.system ['echo hi']")


def test_front_matter_size_is_capped():
    with pytest.raises(FrontMatterError, match="larger than 16 KB"):
        load_yaml("summary: " + "x" * 20_000)


def test_dates_stay_as_text():
    assert load_yaml("version: 2024-01-01").data == {"version": "2024-01-01"}
