"""The knowledge-base card registry: links, versions, verification freshness, importers."""
