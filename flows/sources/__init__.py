"""One module per upstream: HTTP clients, paging, retries, and landing raw payloads untouched."""
