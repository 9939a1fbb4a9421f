"""Debian's Chromium for Playwright (never a downloaded browser build): where it is and how it is
started, for e2e/ and bench/workspace_bench.py."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("ANNOTATOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
