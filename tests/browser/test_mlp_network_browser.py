"""The MLP page's network opened up, in headless Chromium: points added and removed by clicking on the plane,
a CSV file loaded, training with held-out data, the diagram's edges changing, a neuron picked."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from lessons.mlp.points import from_link
from tests.browser.conftest import METRIC_JS, SCREENSHOTS, screenshot, wait_idle
from tests.browser.test_mlp_training_browser import open_training_page, pause, steps, wait_for_steps
from ui.palette import HIGHLIGHT

pytestmark = pytest.mark.browser

PLANE = ".st-key-mlp_boundary_chart canvas"
EDGES_JS = """() => [...document.querySelectorAll('.st-key-mlp_network [data-testid="stGraphVizChart"] g.edge path')]
  .map(p => p.getAttribute('stroke-width') + p.getAttribute('stroke-dasharray'))"""


def link_points(page) -> list[tuple[float, float, float]]:
    """The class's points as the page's link holds them (none while the page shows a generated set)."""
    query = parse_qs(urlparse(page.url).query)
    return from_link(query["mlp_own_points"][0]) if "mlp_own_points" in query else []


def click_mode(page, label: str) -> None:
    page.locator('.st-key-mlp_click button').filter(has_text=label).click()
    wait_idle(page)


def click_plane(page, fx: float, fy: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Click at a fraction of the plane's canvas; the pixel clicked and the canvas's corner, in the page."""
    canvas = page.locator(PLANE).first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
    page.mouse.click(x, y)
    return (x, y), (box["x"], box["y"])


def wait_for_points(page, n: int) -> list[tuple[float, float, float]]:
    page.wait_for_function("n => { const q = new URLSearchParams(location.search).get('mlp_own_points');"
                           " return q !== null && q.split(';').length === n; }", arg=n, timeout=30_000)
    wait_idle(page)
    return link_points(page)


def test_the_class_adds_and_removes_points_by_clicking_and_loads_a_file(server, page, tmp_path):
    open_training_page(page, f"{server.url}/mlp_training?mlp_dataset=xor&mlp_n_points=20")
    expect(page.locator(PLANE)).to_be_visible(timeout=30_000)
    click_mode(page, "add +1")
    first_px, first_box = click_plane(page, 0.35, 0.30)
    points = wait_for_points(page, 21)  # the xor set became the class's own, with one more point
    assert points[-1][2] == 1.0
    click_mode(page, "add −1")
    click_plane(page, 0.50, 0.45)  # inside the points' span: the plane keeps its axes
    points = wait_for_points(page, 22)
    assert points[-1][2] == -1.0
    (ax, ay, _), (bx, by, _) = points[-2], points[-1]
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    click_mode(page, "remove")
    # a point lands at the centre of the cell clicked: less than its own radius from the pixel clicked
    page.locator(PLANE).first.scroll_into_view_if_needed()
    box = page.locator(PLANE).first.bounding_box()
    page.mouse.click(first_px[0] - first_box[0] + box["x"], first_px[1] - first_box[1] + box["y"])
    points = wait_for_points(page, 21)
    assert (ax, ay, 1.0) not in points and (bx, by, -1.0) in points
    screenshot(page, "mlp_network-points-clicked")

    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,1\n3,four,-1\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    expect(page.get_by_text("Row 3 is not three numbers")).to_be_visible(timeout=30_000)
    assert len(link_points(page)) == 21  # nothing of a bad file is used
    good = tmp_path / "good.csv"
    good.write_text("x1;x2;label\n0.5;0.5;1\n-0.5;-0.5;0\n0.5;-0.5;0\n-0.5;0.5;1\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    points = wait_for_points(page, 4)
    assert points == [(0.5, 0.5, 1.0), (-0.5, -0.5, -1.0), (0.5, -0.5, -1.0), (-0.5, 0.5, 1.0)]
    expect(page.get_by_text("4 points loaded from good.csv")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_training_with_held_out_data_moves_the_diagram_and_a_neuron_can_be_picked(server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    url = (f"{server.url}/mlp_training?mlp_dataset=moons&mlp_n_points=30&mlp_noise=0.4&mlp_neurons=16&mlp_lr=0.05"
           "&mlp_test_fraction=0.5&mlp_pace=max&present=1")
    open_training_page(page, url)
    expect(page.locator('.st-key-mlp_network [data-testid="stGraphVizChart"] svg')).to_be_attached(timeout=30_000)
    before = page.evaluate(EDGES_JS)
    assert len(before) == 2 * 8 + 8 * 8 + 8  # the first 8 neurons of each 16-wide layer, and their edges
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for_steps(page, 40)
    pause(page)
    assert steps(page) >= 40
    held = page.evaluate(f"() => ({METRIC_JS})('held-out loss')")
    assert held is not None and float(held) > 0
    page.wait_for_function(f"before => JSON.stringify(({EDGES_JS})()) !== JSON.stringify(before)", arg=before,
                           timeout=30_000)  # the weights moved, and the diagram with them
    screenshot(page, "mlp_network-1920-presenting-trained")

    page.locator('.st-key-mlp_neuron [data-testid="stSelectbox"]').click()
    page.keyboard.type("L2.N3")  # the list is long: typing filters it
    page.get_by_role("option", name="layer 2, neuron 3 (L2.N3)").click()
    wait_idle(page)
    chosen = page.locator('.st-key-mlp_network [data-testid="stGraphVizChart"] g.node').filter(
        has=page.locator(f'ellipse[fill="{HIGHLIGHT.lower()}"], ellipse[fill="{HIGHLIGHT}"]'))
    # one neuron highlighted, and it is the one picked (the old one stays lit until the diagram is redrawn)
    expect(chosen.locator("text")).to_have_text("3", timeout=30_000)
    expect(chosen).to_have_count(1)
    expect(page.locator('.st-key-mlp_network [data-testid="stCode"]').first).to_contain_text("tanh(")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert (SCREENSHOTS / "mlp_network-1920-presenting-trained.png").exists()


def test_three_classes_train_and_the_class_adds_a_point_of_class_2_by_clicking(server, page):
    """Three spiral arms: the plane is tinted by class as it trains; a click adds a point of the class chosen."""
    open_training_page(page, f"{server.url}/mlp_training?mlp_dataset=spiral3&mlp_n_points=30&mlp_layers=1"
                             "&mlp_neurons=8&mlp_activation=relu&mlp_lr=0.2&mlp_pace=max")
    expect(page.locator(PLANE)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("squares class 2", exact=False)).to_be_visible()
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for_steps(page, 10)
    stopped = pause(page)
    assert stopped >= 10
    accuracy = page.evaluate(METRIC_JS, "accuracy, all samples")
    assert accuracy.endswith("%") and int(accuracy[:-1]) > 33  # better than a guess among three
    page.locator(".st-key-mlp_click3").get_by_text("add class 2", exact=True).click()
    wait_idle(page)
    click_plane(page, 0.5, 0.5)
    points = wait_for_points(page, 31)  # the spiral became the class's own points, with one more of class 2
    assert points[-1][2] == 2.0 and {p[2] for p in points} == {0.0, 1.0, 2.0}
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    screenshot(page, "mlp_network-three-classes")
