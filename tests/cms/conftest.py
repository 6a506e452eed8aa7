"""Fixtures for the public website: the demo home page (and the demo's cohorts) to build under.
The demo itself is tests/conftest.py's `demo`, loaded once per module."""

from __future__ import annotations

import pytest

from cms.models import HomePage


@pytest.fixture
def home(demo) -> HomePage:
    return HomePage.objects.get(locale__language_code="ja")


@pytest.fixture
def publish():
    def add(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    return add
