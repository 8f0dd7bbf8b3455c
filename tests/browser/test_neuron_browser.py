"""The Neuron page in headless Chromium: graph and chart drawn, slider and exact input move o, exp toggle, quiz."""

import math

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser
B = 6.8813735870195432


def metric_value(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def test_neuron_slider_exact_input_and_exp_toggle(server, page):
    page.goto(f"{server.url}/neuron")
    wait_idle(page)
    graph = page.locator('[data-testid="stGraphVizChart"] svg')
    expect(graph).to_contain_text("x1*w1")
    expect(graph).to_contain_text("tanh")
    expect(page.locator('[data-testid="stPlotlyChart"] svg.main-svg').first).to_be_visible()
    expect(metric_value(page, "o = tanh(n)")).to_have_text("0.7071")
    expect(page.locator('input[aria-label="b exactly"]')).to_have_value("6.881373587019543")

    slider = page.locator('input[type="range"][aria-label="w1"]')
    slider.focus()
    slider.press("ArrowRight")  # w1: -3.00 -> -2.99
    expect(metric_value(page, "o = tanh(n)")).to_have_text(f"{math.tanh(2 * -2.99 + B):.4f}")
    expect(page.locator('input[aria-label="w1 exactly"]')).to_have_value("-2.99")

    exact = page.locator('input[aria-label="x2 exactly"]')
    exact.fill("0.75")
    exact.press("Enter")  # typed values reach the slider and the neuron
    expect(metric_value(page, "o = tanh(n)")).to_have_text(f"{math.tanh(2 * -2.99 + 0.75 + B):.4f}")
    expect(page.locator('input[type="range"][aria-label="x2"]')).to_have_value("0.75")

    page.get_by_text("Build tanh from exp").click()
    expect(graph).to_contain_text("exp")
    expect(metric_value(page, "o = tanh(n)")).to_have_text(f"{math.tanh(2 * -2.99 + 0.75 + B):.4f}")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_neuron_quiz(server, page):
    page.goto(f"{server.url}/neuron")
    wait_idle(page)
    page.get_by_text("Hide the gradients and quiz me").click()
    graph = page.locator('[data-testid="stGraphVizChart"] svg')
    expect(graph).to_contain_text("grad ?")
    answer = page.locator('input[aria-label="Your answer"]')
    answer.fill("0.5")
    answer.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("Not quite")).to_be_visible()
    expect(page.get_by_text("w1.grad = x1 · (x1*w1).grad = 2.0000 · 0.5000 = 1.0000")).to_be_visible()
    screenshot(page, "neuron-quiz")
    page.get_by_role("button", name="Reveal the gradients").click()
    expect(graph).to_contain_text("grad 1.0000")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
