"""Fixtures of the incidents tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Services' error messages are read in English here; mail, reports and pages choose
    their own language (the recipient's, Japanese, the browser's)."""
    with translation.override("en"):
        yield
