"""The HTTP API: one django-ninja router per domain, mounted on the API in `root`."""
