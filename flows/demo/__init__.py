"""The embedded demo upstream: a deterministic payload generator and a local HTTP server."""
