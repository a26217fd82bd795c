"""Screenshots for the README, made by the browser tests and kept small enough to commit."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# `make screenshots` refreshes the committed pictures; ordinary test runs write elsewhere so
# they leave the working tree clean.
SCREENSHOTS = (
    DOCS_SCREENSHOTS
    if os.environ.get("ALLHANDS_SCREENSHOTS") == "docs"
    else Path(tempfile.gettempdir()) / "allhands-screenshots"
)


def save_screenshot(page: Page, name: str) -> Path:
    """The whole page as ``<name>.png`` in a 256-colour palette (see SCREENSHOTS for where).

    Pages are flat colours and anti-aliased text, so a palette keeps them crisp at about a
    third of the size of Chromium's full-colour PNG.
    """
    image = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path
