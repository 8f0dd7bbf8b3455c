"""The Neuron page in headless Chromium: graph and chart drawn, a slider moves o, the exp toggle redraws the graph."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser


def metric_value(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def test_neuron_slider_and_exp_toggle(server, page):
    page.goto(f"{server.url}/neuron")
    wait_idle(page)
    graph = page.locator('[data-testid="stGraphVizChart"] svg')
    expect(graph).to_contain_text("x1*w1")
    expect(graph).to_contain_text("tanh")
    expect(metric_value(page, "o = tanh(n)")).to_have_text("0.7071")
    slider = page.locator('input[type="range"][aria-label="w1"]')
    slider.focus()
    slider.press("ArrowRight")  # w1: -3.00 -> -2.99, so n = 0.9014 and o = tanh(n)
    expect(metric_value(page, "o = tanh(n)")).to_have_text("0.7170")
    page.get_by_text("Build tanh from exp").click()
    expect(graph).to_contain_text("exp")
    expect(metric_value(page, "o = tanh(n)")).to_have_text("0.7170")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
