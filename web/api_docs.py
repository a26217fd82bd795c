"""Swagger UI (/docs) and ReDoc (/redoc), loaded from the assets fastapi-offline installs.

They work on a network without internet access and under our own content security policy's
origin. The pages are module-level endpoints that read the app from the request: endpoints
defined inside the app factory (as ``FastAPIOffline`` does) are closures over their app, and
FastAPI keeps every endpoint it has classified in process-wide caches, so each app built in a
process (one per test) stayed in memory with everything it held, until collecting the
garbage took longer than the requests.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS_URL = "/static-docs"
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
FAVICON_URL = "/static/favicon.svg"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"

router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def _openapi_url(request: Request) -> str:
    return f"{_root(request)}{request.app.openapi_url}"


def _asset(request: Request, name: str) -> str:
    return f"{_root(request)}{ASSETS_URL}/{name}"


def _title(request: Request, viewer: str) -> str:
    app: FastAPI = request.app
    return f"{app.title} - {viewer}"


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=_title(request, "Swagger UI"),
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
        swagger_css_url=_asset(request, "swagger-ui.css"),
        swagger_favicon_url=FAVICON_URL,
        swagger_ui_parameters=request.app.swagger_ui_parameters,
    )


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=_title(request, "ReDoc"),
        redoc_js_url=_asset(request, "redoc.standalone.js"),
        with_google_fonts=False,
        redoc_favicon_url=FAVICON_URL,
    )


def install(app: FastAPI) -> None:
    """Serve the documentation pages and their assets (the app's own are turned off)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="static-offline-docs")
    app.include_router(router)
