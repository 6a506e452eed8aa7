"""Large imports report their progress as they go: the page arrives at once, then a line every
chunk of rows, then the result. All-or-nothing still holds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peers import imports
from peers.models import Organisation
from peers.views import staff_workforce

from .test_import_export import ORG_ROWS, _csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(monkeypatch):
    """Report every 2 rows, so that a 5-row file counts as large."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(staff_workforce, "CHUNK_ROWS", 2)


def _rows(count, bad_row=None):
    rows = [ORG_ROWS[0]]
    for n in range(count):
        prefecture = "99" if n == bad_row else "14"
        rows.append([f"進捗ピアの家 {n}", "group-home", prefecture, "横浜市", "", "", ""])
    return rows


def _stream(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_large_dry_run_streams_progress_then_result_and_saves_nothing(
    signed_in, platform_admin, small_chunks
):
    response = signed_in(platform_admin).post(
        "/en" + reverse("peers:import").removeprefix("/en"),
        {"shape": "organisations", "file": _csv(_rows(5))},
    )
    html = _stream(response)
    lines = [f"Rows checked: {n} of 5" for n in (2, 4, 5)]
    positions = [html.index(line) for line in lines]
    assert positions == sorted(positions)
    assert html.index("Rows checked: 5 of 5") < html.index('id="result-heading"')
    assert "Every row is valid. Nothing has been saved yet" in html
    assert html.rstrip().endswith("</html>")
    assert not Organisation.objects.filter(name__startswith="進捗ピアの家").exists()


def test_large_import_applies_only_when_every_row_is_valid(signed_in, platform_admin, small_chunks):
    client = signed_in(platform_admin)
    url = reverse("peers:import")
    html = _stream(client.post(url, {"shape": "organisations", "file": _csv(_rows(5, bad_row=3)),
                                     "apply": "on"}))
    assert "Unknown prefecture code" in html and "prefecture" in html
    assert not Organisation.objects.filter(name__startswith="進捗ピアの家").exists()
    _stream(client.post(url, {"shape": "organisations", "file": _csv(_rows(5)), "apply": "on"}))
    assert Organisation.objects.filter(name__startswith="進捗ピアの家").count() == 5


def test_small_files_are_answered_in_one_page(signed_in, platform_admin):
    response = signed_in(platform_admin).post(
        reverse("peers:import"), {"shape": "organisations", "file": _csv(ORG_ROWS)}
    )
    assert not response.streaming and response.context["result"]["valid"]


def test_a_file_over_the_cap_is_refused_before_any_row_is_checked(
    signed_in, platform_admin, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    response = signed_in(platform_admin).post(
        "/en" + reverse("peers:import").removeprefix("/en"),
        {"shape": "organisations", "file": _csv(_rows(5))},
    )
    assert not response.streaming
    assert "Please split the file: at most 3 rows at a time." in response.content.decode()
