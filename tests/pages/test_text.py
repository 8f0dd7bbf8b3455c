"""Untrusted text shown on a page: `literal` and `code` must never let it become a link, an image or markup.

The oracle is markdown-it with GFM's linkify, which, like Streamlit's renderer, also turns bare
URLs and e-mail addresses into links after the Markdown is read. A rendered text that still reads
as a URL, an address or an :emoji: code would be turned into one by Streamlit.
"""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ui.text import code, literal, plain, shorten

MD = MarkdownIt("gfm-like")
JOINER = "\u2060"
# what Streamlit's renderer turns into a link or an emoji after reading the Markdown
LATE_PATTERNS = re.compile(r"https?://|www\.|[\w.+-]+@[\w-]+\.[\w.-]|:[\w+-]+:", re.IGNORECASE)

HOSTILE = [
    "`[CLICK HERE](https://example.com/login)`",
    "`![](https://example.com/p.png)`",
    "``![](https://example.com/p.png)``",
    "```[a](https://example.com/3)```",
    "````x````[a](https://example.com/4)",
    "[a [b](https://example.com/x)](https://example.com/y)",
    "![img](https://example.com/i.png)",
    "<https://example.com/auto>",
    "https://example.com/bare",
    "www.example.com",
    "evil@example.com",
    "mailto:evil@example.com",
    "<img src=https://example.com/h.png>",
    "<a href='https://example.com'>x</a>",
    "<script>alert(1)</script>",
    "**bold** _it_ ~~s~~ # not a heading",
    ":red[red] :material/home: :smile: $x^2$",
    "\\`[esc](https://example.com/esc)\\`",
    "[x]: https://example.com/ref\n[x]",
    "# heading\n- item\n> quote",
    "［CLICK］（https：//example.com）",  # full-width look-alikes
    "x\u202egnp.exe",  # right-to-left override
    "a\u200bb\u00a0c\td",
    "&lt;b&gt; &amp; &#x41;",
    "x" * 10_000,
]


def inline_tokens(markdown: str):
    blocks = MD.parse(markdown)
    return [child for block in blocks if block.children for child in block.children]


def shown_text(markdown: str) -> str:
    """The text the reader sees: every text and code token, concatenated."""
    return "".join(t.content for t in inline_tokens(markdown) if t.type in ("text", "code_inline", "softbreak"))


def assert_inert(markdown: str) -> None:
    kinds = {t.type for t in inline_tokens(markdown)}
    assert not kinds & {"link_open", "image", "html_inline", "strong_open", "em_open", "s_open"}, kinds
    blocks = {b.type for b in MD.parse(markdown)}
    assert blocks <= {"paragraph_open", "inline", "paragraph_close"}, blocks
    for token in inline_tokens(markdown):
        if token.type == "text":
            assert not LATE_PATTERNS.search(token.content), token.content


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_shows_hostile_text_as_written_and_inert(text):
    markdown = literal(text)
    assert_inert(markdown)
    assert shown_text(markdown).replace(JOINER, "") == plain(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_code_shows_hostile_text_as_one_code_span(text):
    markdown = code(text)
    tokens = inline_tokens(markdown)
    assert [t.type for t in tokens] == ["code_inline"], [t.type for t in tokens]
    assert tokens[0].content == plain(text)


@pytest.mark.parametrize("run", [1, 2, 3, 4])
@pytest.mark.parametrize("where", ["start", "middle", "end", "alone"])
def test_code_spans_hold_backtick_runs_of_any_length(run, where):
    ticks = "`" * run
    text = {"start": ticks + "[a](https://example.com)", "middle": "x" + ticks + "y",
            "end": "[a](https://example.com)" + ticks, "alone": ticks}[where]
    tokens = inline_tokens(code(text))
    assert [t.type for t in tokens] == ["code_inline"]
    assert tokens[0].content == text


def test_shorten_cuts_long_text_and_marks_the_cut():
    assert shorten("abc", 40) == "abc"
    cut = shorten("x" * 100, 40)
    assert len(cut) == 40 and cut.endswith("…")
    assert shown_text(code("`" * 100, limit=40)) == "`" * 39 + "…"


def test_plain_puts_text_on_one_line_and_shows_invisible_controls():
    assert plain("a\nb\r\nc") == "a b  c"
    assert plain("x\u202ey") == "x\ufffdy"
    assert plain("e\u0301") == "e\u0301"  # combining accents are text, not controls


@given(st.text(max_size=200))
def test_any_text_stays_text(text):
    assert_inert(literal(text))
    # a paragraph drops trailing spaces; everything else shows as written
    assert shown_text(literal(text)).replace(JOINER, "").rstrip(" ") == plain(text).rstrip(" ")
    tokens = inline_tokens(code(text))
    if plain(text).strip(" "):
        assert [t.type for t in tokens] == ["code_inline"]
        assert tokens[0].content.strip(" ") == plain(text).strip(" ")
