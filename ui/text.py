"""Text from a user or a link, shown as text: never read as Markdown or HTML.

Streamlit reads Markdown in `st.markdown`, alerts, captions, widget labels, `help=` and table
cells. A typed formula or a query value put there as it is can become a link, an image fetched
from someone else's server, bold text or a broken code span. The one rule of this app: text that
came from a user or a URL (and anything derived from it, such as a variable name or an error
message quoting it) goes through `literal` or `code` before it joins Markdown.
"""

from __future__ import annotations

import re
import string
import unicodedata

# CommonMark lets a backslash escape any ASCII punctuation character, and every Markdown
# construct Streamlit knows (links, images, emphasis, code, HTML, entities, math with $,
# :emoji: and :color[...] directives, GFM autolinks of www. and x@y.z) starts with one.
_ESCAPED = {c: "\\" + c for c in string.punctuation}
# Streamlit also finds links, e-mail addresses and :emoji: in the text *after* reading the Markdown,
# so escapes cannot stop those: a WORD JOINER (invisible, no line break) after ':' and '@' and
# inside "www." breaks the patterns (https://..., x@y.z, www.x, :smile:) without changing what is shown.
_JOINER = "\u2060"
_AUTOLINKS = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")


def _visible(ch: str) -> str:
    """One character made harmless: controls, direction overrides and odd spaces become visible or plain."""
    category = unicodedata.category(ch)
    if ch in "\t\n\r" or category in ("Zs", "Zl", "Zp"):
        return " "  # one line: a newline could start a heading or a list
    if category in ("Cc", "Cf", "Co", "Cs", "Cn"):
        return "\ufffd"  # e.g. U+202E, which would show the rest of the line reversed
    return ch


def plain(text: object) -> str:
    """The text on one line, with invisible and direction-changing characters replaced."""
    return "".join(_visible(ch) for ch in str(text))


def shorten(text: object, limit: int = 40) -> str:
    """At most `limit` characters of the plain text, with … where it was cut."""
    s = plain(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def literal(text: object, limit: int | None = None) -> str:
    """Markdown that shows `text` exactly as written (optionally shortened), every special character escaped."""
    s = plain(text) if limit is None else shorten(text, limit)
    body = s.lstrip(" ")
    # leading spaces as entities: four of them at the start of a line would open a code block
    return "&#32;" * (len(s) - len(body)) + "".join(_ESCAPED.get(ch, ch) for ch in _AUTOLINKS.sub(_JOINER, body))


def code(text: object, limit: int | None = None) -> str:
    """An inline code span showing `text` as written, whatever backticks it holds.

    CommonMark closes a code span only with a run of backticks as long as the one that opened
    it, so the fence is one longer than the longest run inside; the spaces keep a backtick at
    either end of the text from joining the fence (they are removed when the span is drawn).
    """
    s = plain(text) if limit is None else shorten(text, limit)
    longest = max((len(run) for run in _BACKTICKS.findall(s)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {s} {fence}"
