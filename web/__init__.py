"""The HTTP surface: FastAPI app, auth, REST API, HTML pages, calendar feeds and the CLI."""
