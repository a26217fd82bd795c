"""Raw request bodies (CSV, JSON exports) read before a sync endpoint runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

CSV_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}


async def read_text_body(request: Request) -> str:
    """The body as UTF-8 text; too large or undecodable input is a 4xx, not a 500."""
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="upload larger than 5 MiB")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail=f"body is not UTF-8 text: {exc.reason}"
        ) from exc


CsvBody = Annotated[str, Depends(read_text_body)]
