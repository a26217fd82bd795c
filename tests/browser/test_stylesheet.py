"""The stylesheet styles desktop pages too: phone-only rules stay inside their media query."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SAMPLE = """<link rel="stylesheet" href="{url}/static/allhands.css">
<span class="badge badge-ready">Ready</span>
<svg><rect class="layer-0" width="10" height="10"></rect></svg>"""


@pytest.mark.parametrize("width", [1280, 390])
def test_badges_and_layer_colours_apply_at_every_width(
    live_server: LiveServer, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/login")
    page.set_content(SAMPLE.format(url=live_server.url))
    page.wait_for_load_state("load")
    badge = page.locator(".badge-ready").evaluate("e => getComputedStyle(e).backgroundColor")
    fill = page.locator("rect.layer-0").evaluate("e => getComputedStyle(e).fill")
    assert badge == "rgb(230, 242, 234)"  # #e6f2ea
    assert fill == "rgb(36, 86, 199)"  # #2456c7, not the default black
