"""A lecture hall on two app servers sharing one Redis: the teacher on one, the phones on the other.

As behind deploy/haproxy.cfg, where each browser sticks to the server its websocket reached: a class
started on one server is the same class on the other (joined, answered, revealed, moved on).
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from lessons.tour import SCENES
from tests.browser.conftest import Server, chromium_path, wait_idle
from tests.browser.test_class_browser import PHONE, QUESTION, answer, join, start_class, walk_to
from tests.server.throwaway_redis import redis_server

pytestmark = pytest.mark.browser


@pytest.fixture
def two_servers():
    chromium_path()
    with redis_server() as url:
        env = {**os.environ, "MICROGRAD_REDIS_URL": url}
        servers = [Server(env=env), Server(env=env)]
        yield servers
        for s in servers:
            s.stop()


def test_a_teacher_on_one_server_and_students_on_another_share_one_class(two_servers, browser):
    first, second = two_servers
    teacher = browser.new_context(viewport={"width": 1280, "height": 720})
    projector = teacher.new_page()
    code = start_class(projector, first.url)
    projector.get_by_role("button", name="Begin the lecture tour").click()
    expect(projector.get_by_text(f"Scene 1 of {len(SCENES)}")).to_be_visible(timeout=30_000)
    walk_to(projector, QUESTION.number)
    phones = [join(browser, second.url, code, PHONE) for _ in range(2)]
    for _, phone in phones:
        expect(phone.get_by_text(QUESTION.question.prompt)).to_be_visible(timeout=20_000)
    answer(phones[0][1], str(QUESTION.question.truth()))
    answer(phones[1][1], str(QUESTION.question.truth() + 10))
    expect(projector.locator(".st-key-tour_bar").get_by_text("2 answers", exact=True)).to_be_visible(timeout=20_000)
    projector.get_by_role("button", name="Reveal").click()
    expect(projector.get_by_role("dialog").get_by_text("1 of 2 right")).to_be_visible(timeout=20_000)
    expect(phones[0][1].get_by_text(": right.")).to_be_visible(timeout=20_000)
    projector.keyboard.press("Escape")
    wait_idle(projector)
    projector.locator(".st-key-tour_bar p").first.click()
    projector.keyboard.press("PageDown")
    following = SCENES[QUESTION.number]
    expected = following.question.prompt if following.question else "Waiting for the teacher's question"
    for _, phone in phones:
        expect(phone.get_by_text(expected)).to_be_visible(timeout=20_000)
    for context in (teacher, *(c for c, _ in phones)):
        context.close()
