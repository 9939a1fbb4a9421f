"""Helpers shared by tests/, e2e/ and bench/: the app under gunicorn, Chromium, throw-away
PostgreSQL databases. Nothing here is a test; bench scripts import it with the repository root
on ``sys.path``."""
