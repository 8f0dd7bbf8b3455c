"""No link can put someone else's link or image on a page: every URL key and typed formula gets hostile text.

Each page is opened with every key it keeps in its link set to the same payload at once (so each
page load tries all its keys), and the typed-formula boxes get the payloads too. The page may say
the value was ignored; it must not contain a link or an image pointing anywhere but the app, and the
browser must not have asked any other host for anything.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle
from tests.conftest import open_page
from ui import PAGES

pytestmark = pytest.mark.browser

PAYLOADS = [
    "`[CLICK HERE](https://example.com/login)`",
    "``![](https://example.com/p.png)``",
    "[a [b](https://example.com/x)](https://example.com/y)",
    "<https://example.com/auto>",
    "https://example.com/bare www.example.com evil@example.com",
    "<img src=https://example.com/i.png><a href=https://example.com>x</a>",
    "[x](javascript:alert(1)) :red[red] $x^2$",
    "［CLICK］（https：//example.com）\u202e",
]
FORMULA_BOXES = {"derivatives": ["f(x) =", "x exactly (a number or e.g. 2/3)"],
                 "neuron": ["x1 exactly"]}
LINKS = ", ".join(f'[data-testid="{area}"] {tag}' for area in ("stMain", "stSidebar")
                  for tag in ("a[href]", "img", "image"))
FOREIGN_JS = f"""origin => [...document.querySelectorAll('{LINKS}')]
  .map(e => e.href?.baseVal ?? e.href ?? e.src).filter(u => u && !u.startsWith(origin) && !u.startsWith('data:'))"""


def url_path(path: str) -> str:
    return "" if path == PAGES[0].path else path.removeprefix("pages/").removesuffix(".py")


def url_keys(path: str) -> list[str]:
    """The keys a page keeps in its link, as the page declares them."""
    return open_page(path).session_state["_url_keys"]


def assert_nothing_foreign(page, origin: str, requested: list[str]) -> None:
    wait_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert page.evaluate(FOREIGN_JS, origin) == []
    assert [u for u in requested if not u.startswith((origin, "data:", "blob:"))] == []


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_hostile_values_in_every_key_of_a_link_stay_text(server, page, path):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    keys = url_keys(path)
    assert "present" in keys
    for payload in PAYLOADS:
        query = "&".join(f"{key}={quote(payload)}" for key in keys)
        page.goto(f"{server.url}/{url_path(path)}?{query}")
        assert_nothing_foreign(page, server.url, requested)
        # the notice quotes the value shortened and inert
        notices = page.locator('[data-testid="stAlert"]').filter(has_text="was ignored")
        expect(notices.first).to_be_visible()
        assert all(len(text) < 400 for text in notices.all_inner_texts())


@pytest.mark.parametrize("where", list(FORMULA_BOXES))
def test_hostile_typed_formulas_stay_text(server, page, where):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server.url}/{where}")
    wait_idle(page)
    for label in FORMULA_BOXES[where]:
        for payload in PAYLOADS:
            box = page.locator(f'input[aria-label="{label}"]')
            box.fill(payload)
            box.press("Enter")
            expect(page.locator('[data-testid="stAlert"]').filter(has_text="position").first).to_be_visible()
            assert_nothing_foreign(page, server.url, requested)
    assert urlsplit(page.url).netloc == urlsplit(server.url).netloc
