"""API routers. No `from __future__ import annotations` here: django-ninja reads the
annotations of endpoint parameters at runtime."""
