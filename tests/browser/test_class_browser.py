"""Class mode in headless Chromium: a teacher's projector and students' phones on one server.

The teacher starts a class, walks the tour to a question with the clicker's key, students answer
on their phones, the projector's count follows, Reveal shows the answers with the true one, and the
teacher's next scene reaches the students.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lessons.tour import SCENES
from tests.browser.conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser

QUESTION = next(s for s in SCENES if s.question and s.question.kind == "number")
PHONE = {"width": 390, "height": 844}


def start_class(page, url: str) -> str:
    page.goto(f"{url}/classroom?present=1")
    wait_idle(page)
    page.get_by_role("button", name="Start a class").click()
    expect(page.get_by_text("Scan to join")).to_be_visible(timeout=30_000)
    return re.search(r"join=([A-Z0-9]{8})", page.content()).group(1)


def walk_to(page, number: int) -> None:
    """Press the clicker's Page Down until the tour shows scene `number`."""
    for n in range(2, number + 1):
        page.locator(".st-key-tour_bar p").first.click()  # the keys go to the page, not a widget
        page.keyboard.press("PageDown")
        expect(page.get_by_text(f"Scene {n} of {len(SCENES)}", exact=False)).to_be_visible(timeout=30_000)
        wait_idle(page)


def join(browser, url: str, code: str, viewport: dict):
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE, has_touch=viewport == PHONE)
    page = context.new_page()
    page.goto(f"{url}/classroom?join={code}")
    wait_idle(page)
    return context, page


def answer(page, value: str, sent: bool = True) -> None:
    page.get_by_label("Your answer (a number)").fill(value)
    page.get_by_role("button", name="Send").click()
    if sent:
        expect(page.get_by_text("Sent:")).to_be_visible(timeout=20_000)


def test_a_class_answers_a_question_on_phones_and_sees_the_reveal(server, browser):
    projector_context = browser.new_context(viewport={"width": 1920, "height": 1080})
    projector = projector_context.new_page()
    code = start_class(projector, server.url)
    assert "_class_token" not in projector.url and len(code) == 8
    projector.get_by_role("button", name="Begin the lecture tour").click()
    expect(projector.get_by_text(f"Scene 1 of {len(SCENES)}")).to_be_visible(timeout=30_000)
    walk_to(projector, QUESTION.number)
    prompt = QUESTION.question.prompt
    expect(projector.locator(".st-key-question_banner").get_by_text(prompt)).to_be_visible(timeout=20_000)
    screenshot(projector, "class-projector-question-1920")

    truth = QUESTION.question.truth()
    students = [join(browser, server.url, code, PHONE)] + [
        join(browser, server.url, code, {"width": 800, "height": 700}) for _ in range(2)]
    for _, page in students:
        expect(page.get_by_text(prompt)).to_be_visible(timeout=20_000)
    screenshot(students[0][1], "class-phone-question")
    answer(students[0][1], str(truth))
    answer(students[1][1], str(truth + 10))
    answer(students[2][1], "banana", sent=False)  # refused on the phone, with a message
    expect(students[2][1].locator('[data-testid="stAlertContentError"]')).to_contain_text("number", timeout=20_000)
    answer(students[2][1], str(truth))
    # the projector's count follows by itself (its fragment redraws every second)
    expect(projector.locator(".st-key-tour_bar").get_by_text("3 answers")).to_be_visible(timeout=15_000)

    projector.get_by_role("button", name="Reveal").click()
    dialog = projector.get_by_role("dialog")
    expect(dialog.get_by_text("2 of 3 right")).to_be_visible(timeout=20_000)
    expect(dialog.locator('[data-testid="stPlotlyChart"] .bars path, [data-testid="stPlotlyChart"] .point path')
           .first).to_be_visible(timeout=20_000)
    screenshot(projector, "class-projector-reveal-1920")
    expect(students[0][1].get_by_text(": right.")).to_be_visible(timeout=15_000)
    expect(students[1][1].get_by_text("not quite")).to_be_visible(timeout=15_000)
    screenshot(students[0][1], "class-phone-revealed")

    projector.keyboard.press("Escape")
    expect(dialog).to_be_hidden(timeout=10_000)
    walk_to_next = QUESTION.number + 1
    projector.locator(".st-key-tour_bar p").first.click()
    projector.keyboard.press("PageDown")
    expect(projector.get_by_text(f"Scene {walk_to_next} of {len(SCENES)}")).to_be_visible(timeout=30_000)
    following = SCENES[walk_to_next - 1]
    expected = following.question.prompt if following.question else "Waiting for the teacher's question"
    for _, page in students:  # the students follow without touching anything
        expect(page.get_by_text(expected)).to_be_visible(timeout=15_000)
    for context, _ in students:
        context.close()
    projector_context.close()


def test_a_student_link_with_a_wrong_code_says_so(server, browser):
    context, page = join(browser, server.url, "ZZZZZZZZ", PHONE)
    expect(page.get_by_text("No class with the code")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Join")).to_be_visible()
    context.close()


def count_in_bar(page, n: int) -> None:
    expect(page.locator(".st-key-tour_bar").get_by_text(f"{n} answer{'s' if n != 1 else ''}", exact=True)) \
        .to_be_visible(timeout=30_000)


def test_a_class_outlives_reloads_a_second_device_and_a_server_restart(fresh_server, browser):
    """The class belongs to the teacher's browser, not a tab, and each phone is one student however it reloads."""
    teacher = browser.new_context(viewport={"width": 1280, "height": 720})
    projector = teacher.new_page()
    code = start_class(projector, fresh_server.url)
    projector.get_by_role("button", name="Begin the lecture tour").click()
    expect(projector.get_by_text(f"Scene 1 of {len(SCENES)}")).to_be_visible(timeout=30_000)
    walk_to(projector, QUESTION.number)
    phone_context, phone = join(browser, fresh_server.url, code, PHONE)
    expect(phone.get_by_text(QUESTION.question.prompt)).to_be_visible(timeout=20_000)
    answer(phone, "1")
    count_in_bar(projector, 1)

    # the projector tab reloads mid-question: the class, its question and its Reveal are all still there
    projector.reload()
    wait_idle(projector)
    expect(projector.locator(".st-key-question_banner").get_by_text(QUESTION.question.prompt)).to_be_visible()
    expect(projector.get_by_role("button", name="Reveal")).to_be_visible(timeout=20_000)
    count_in_bar(projector, 1)

    # a reloaded phone is the same student: its second answer replaces its first
    phone.reload()
    wait_idle(phone)
    answer(phone, "2")
    count_in_bar(projector, 1)

    # a second device takes the class with the private resume link, which only the teacher's browser holds
    credential = next(c["value"] for c in teacher.cookies() if c["name"] == "mg_teacher")
    laptop_context = browser.new_context(viewport={"width": 1280, "height": 800})
    laptop = laptop_context.new_page()
    laptop.goto(f"{fresh_server.url}/classroom#resume={credential}")
    expect(laptop.get_by_text(f"Class {code}")).to_be_visible(timeout=30_000)
    stranger_context, stranger = join(browser, fresh_server.url, code, PHONE)
    stranger.goto(f"{fresh_server.url}/presenter")
    expect(stranger.get_by_text("This browser leads no class")).to_be_visible(timeout=20_000)

    # the server restarts mid-class: the class, its answers and each browser's part in it come back
    fresh_server.restart()
    projector.reload()
    wait_idle(projector)
    count_in_bar(projector, 1)
    phone.reload()
    wait_idle(phone)
    answer(phone, "3")
    count_in_bar(projector, 1)

    # the laptop's presenter view moves the class; the projector follows, then reveals to the phone
    laptop.goto(f"{fresh_server.url}/presenter")
    expect(laptop.get_by_text(f"Scene {QUESTION.number} of {len(SCENES)}")).to_be_visible(timeout=30_000)
    laptop.get_by_role("button", name="Reveal").click()
    expect(phone.get_by_text("not quite").or_(phone.get_by_text(": right."))).to_be_visible(timeout=20_000)
    expect(laptop.get_by_role("button", name="Ask again")).to_be_visible(timeout=20_000)  # its rerun is drawn
    laptop.get_by_role("button", name="Next").click()
    expect(laptop.get_by_text(f"Scene {QUESTION.number + 1} of {len(SCENES)}")).to_be_visible(timeout=30_000)
    expect(projector.get_by_text(f"Scene {QUESTION.number + 1} of {len(SCENES)}")).to_be_visible(timeout=30_000)
    screenshot(laptop, "class-presenter-1280")
    for context in (teacher, phone_context, laptop_context, stranger_context):
        context.close()
