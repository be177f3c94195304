"""Models of raw payloads exactly as upstreams publish them: every field is text."""
