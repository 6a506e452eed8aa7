"""The comparison page, its exports and the API: access, hidden small cells, refusals, queries."""

from __future__ import annotations

import csv
import io
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from comparisons import selectors, stats
from peers.models import Engagement, Organisation
from tests.collaboration.activity_support import *  # noqa: F403
from tests.conftest import login_two_step

pytestmark = pytest.mark.django_db

PAGE = "/staff/comparisons/"
QUERY = {"source": "engagements", "group": "organisation", "year_from": "2025", "year_to": "2025"}
API_TABLE = "/api/v1/reports/tables/engagements/"
API_QUERY = {"group": "organisation", "from": "2025", "to": "2025"}


def _engage(organisation, kind, n, manager):
    import datetime

    for _ in range(n):
        terms = {"weekly_hours": 20, "full_time_weekly_hours": 40} if kind == "employed" else {}
        Engagement.objects.create(person=manager, organisation=organisation, kind=kind,
                                  start_date=datetime.date(2025, 6, 1), confirmed_by=manager,
                                  confirmed_at=timezone.now(), **terms)


@pytest.fixture
def three_offices(tokyo, a_kind, a_manager):
    """A: 6 volunteer, 2 employed (a small cell); B: 12 / 8; C: 10 / 15. Nobody on honorarium."""
    offices = {}
    for name, (vol, emp) in {"事業所A": (6, 2), "事業所B": (12, 8), "事業所C": (10, 15)}.items():
        offices[name] = Organisation.objects.create(name=name, prefecture=tokyo, kind=a_kind)
        _engage(offices[name], "volunteer", vol, a_manager)
        _engage(offices[name], "employed", emp, a_manager)
    return offices


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _rows(view):
    return {r["label"]: r for r in view.rows}


def test_coordinator_sees_small_cells_as_under_5_and_the_test_without_them(client, three_offices, a_coordinator):
    login_two_step(client, a_coordinator)
    response = client.get(PAGE, QUERY)
    assert response.status_code == 200
    rows = _rows(response.context["view"])
    assert rows["事業所A"]["counts"] == [6, 0, "<5"] and rows["事業所A"]["total"] == "x"
    assert rows["事業所B"]["counts"] == [12, 0, 8] and rows["事業所B"]["total"] == 20
    assert response.context["view"].column_totals == [28, 0, "x"] and response.context["view"].total == "x"
    assert "&lt;5" in response.content.decode()
    result = response.context["comparison"].result
    assert result.rows == ["事業所B", "事業所C"]  # A's only group with a small count is left out
    hand = stats.compare(["v", "e"], [("B", [12, 8]), ("C", [10, 15])])
    assert result.chi2 == pytest.approx(hand.chi2) and result.df == 1
    codes = [c.code for c in response.context["comparison"].cautions]
    assert {"small_left_out", "left_out", "data_limits", "not_a_cause", "many_cells", "small_groups"} <= set(codes)


def test_administrator_sees_true_counts_and_the_test_on_them(client, three_offices, admin_user):
    login_two_step(client, admin_user)
    response = client.get(PAGE, QUERY)
    assert _rows(response.context["view"])["事業所A"]["counts"] == [6, 0, 2]
    result = response.context["comparison"].result
    assert result.rows == ["事業所A", "事業所B", "事業所C"]
    n, emp = 53, 25
    expected_a_emp = 8 * emp / n
    assert result.cell(0, 1).expected == pytest.approx(expected_a_emp)
    assert result.cell(0, 1).adjusted_residual == pytest.approx(
        (2 - expected_a_emp) / math.sqrt(expected_a_emp * (1 - 8 / n) * (1 - emp / n)))


def test_exports_hide_small_cells_too(client, three_offices, a_coordinator):
    login_two_step(client, a_coordinator)
    response = client.get(PAGE + "export.csv", QUERY)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["事業所A", "6", "0", "<5", "x"] in lines
    assert not any(line and line[0] == "事業所A" and "2" in line[2:] for line in lines)
    book = load_workbook(io.BytesIO(client.get(PAGE + "export.xlsx", QUERY).content))
    values = [list(r)[:5] for r in book.active.iter_rows(values_only=True)]
    assert ["事業所A", 6, 0, "<5", "x"] in values


def test_table_api_hides_small_cells_unless_the_caller_may_see_people(three_offices, a_coordinator, admin_user):
    data = _api(a_coordinator).get(API_TABLE, API_QUERY).json()
    rows = {r["label"]: r["counts"] for r in data["rows"]}
    assert rows["事業所A"] == [6, 0, "<5"] and data["small_cells_hidden"] is True
    assert {c["row"] for c in data["comparison"]["cells"]} == {"事業所B", "事業所C"}
    assert data["updated_at"] and data["source"]
    full = _api(admin_user).get(API_TABLE, API_QUERY).json()
    assert {r["label"]: r["counts"] for r in full["rows"]}["事業所A"] == [6, 0, 2]
    assert full["small_cells_hidden"] is False


def test_a_table_with_one_group_is_refused_with_the_reason(client, three_offices, a_coordinator):
    login_two_step(client, a_coordinator)
    response = client.get(PAGE, {**QUERY, "group": "prefecture"})  # the coordinator covers Tokyo only
    assert response.context["comparison"].refused.code == "too_few_rows"
    assert "2つ以上" in response.content.decode()
    data = _api(a_coordinator).get(API_TABLE, {**API_QUERY, "group": "prefecture"}).json()
    assert data["comparison"] is None and data["refused"]["code"] == "too_few_rows" and data["refused"]["ja"]


def test_bad_choices_get_a_message_never_a_500(client, a_coordinator):
    login_two_step(client, a_coordinator)
    response = client.get(PAGE, {**QUERY, "group": "body", "year_from": "abc"})
    assert response.status_code == 200 and response.context["table"] is None
    assert "この記録はその単位では分けられません" in response.content.decode()
    api = _api(a_coordinator)
    bad = api.get(API_TABLE, {**API_QUERY, "group": "body"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "group"
    assert api.get(API_TABLE, {**API_QUERY, "to": "2020"}).status_code == 400
    assert api.get("/api/v1/reports/tables/nothing/").status_code == 404


def test_only_coordinators_and_administrators_after_two_step_may_compare(client, three_offices, a_peer, a_manager,
                                                                         a_coordinator):
    body = {"columns": ["a", "b"], "rows": [{"label": "X", "counts": [1, 2]}, {"label": "Y", "counts": [3, 4]}]}
    for user in (a_peer, a_manager):
        assert _api(user).get(API_TABLE, API_QUERY).status_code == 403
        assert _api(user).post("/api/v1/reports/compare/", body, format="json").status_code == 403
        login_two_step(client, user)  # a manager, even after two-step sign-in, is no coordinator
        assert client.get(PAGE).status_code == 403
    client.force_login(a_coordinator)  # password only
    assert client.get(PAGE).status_code in (302, 403)
    assert client.get(API_TABLE, API_QUERY).status_code == 403
    login_two_step(client, a_coordinator)
    assert client.get(PAGE).status_code == 200


def test_compare_api_answers_the_hand_calculation(a_coordinator):
    body = {"columns": ["renewed", "lapsed"],
            "rows": [{"label": "A", "counts": [10, 20]}, {"label": "B", "counts": [30, 15]}]}
    response = _api(a_coordinator).post("/api/v1/reports/compare/", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["chi2"] == pytest.approx(36 / 16 + 36 / 14 + 36 / 24 + 36 / 21) and data["df"] == 1
    first = data["cells"][0]
    assert first["row"] == "A" and first["column"] == "renewed" and first["observed"] == 10
    assert first["expected"] == pytest.approx(16) and first["flag"] == "p01"
    assert first["adjusted_residual"] == pytest.approx(-6 / math.sqrt(16 * 0.6 * (1 - 40 / 75)))
    codes = {c["code"] for c in data["cautions"]}
    assert {"many_cells", "not_a_cause", "small_groups", "data_limits"} <= codes
    assert all(c["ja"] and c["en"] for c in data["cautions"])


@pytest.mark.parametrize(("rows", "field", "code"), [
    ([{"label": "A", "counts": [0, 0]}, {"label": "B", "counts": [3, 4]}], "rows", "zero_row"),
    ([{"label": "A", "counts": [0, 5]}, {"label": "B", "counts": [0, 4]}], "columns", "zero_column"),
    ([{"label": "A", "counts": [1, 5]}], "rows", "too_few_rows"),
    ([{"label": "A", "counts": [1, -5]}, {"label": "B", "counts": [0, 4]}], "rows.0.counts.1", "min_value"),
])
def test_compare_api_refuses_degenerate_tables(a_coordinator, rows, field, code):
    response = _api(a_coordinator).post("/api/v1/reports/compare/", {"columns": ["a", "b"], "rows": rows},
                                        format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == field and error["code"] == code and error["message"]["ja"] and error["message"]["en"]


def test_the_page_runs_a_fixed_number_of_queries(client, three_offices, a_coordinator, tokyo, a_kind, a_manager):
    login_two_step(client, a_coordinator)
    client.get(PAGE, QUERY)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE, QUERY).status_code == 200
    for i in range(5):
        office = Organisation.objects.create(name=f"追加{i}", prefecture=tokyo, kind=a_kind)
        _engage(office, "volunteer", 6, a_manager)
        _engage(office, "employed", 7, a_manager)
    with CaptureQueriesContext(connection) as many:
        response = client.get(PAGE, QUERY)
    assert len(response.context["comparison"].result.rows) == 7
    assert len(many) == len(few)


def test_an_uploaded_table_is_compared_and_nothing_is_stored(client, a_coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comparisons.models import OutcomeRollup

    login_two_step(client, a_coordinator)
    csv_text = "group,renewed,lapsed\nA,10,20\nB,30,15\n"
    response = client.post(PAGE, {"table_file": SimpleUploadedFile("mine.csv", csv_text.encode())})
    assert response.status_code == 200
    result = response.context["comparison"].result
    assert result.chi2 == pytest.approx(36 / 16 + 36 / 14 + 36 / 24 + 36 / 21)
    assert "data_limits" in [c.code for c in result.cautions]
    assert OutcomeRollup.objects.count() == 0
    refused = client.post(PAGE, {"table_file": SimpleUploadedFile("bad.csv", b"group,a,b\nA,0,0\nB,1,2\n")})
    assert refused.context["comparison"] is None and "すべて0です" in refused.content.decode()
    bad = client.post(PAGE, {"table_file": SimpleUploadedFile("bad.csv", b"group,a,b\nA,x,1\nB,1,2\n")})
    assert bad.status_code == 200 and "件数（0以上の整数）ではありません" in bad.content.decode()


def _shown_numbers(view) -> set:
    return {n for r in view.rows for n in [*r["counts"], r["total"]] if isinstance(n, int)}


def test_groups_with_hidden_cells_are_left_out_not_merged(client, three_offices, a_coordinator, tokyo, a_kind,
                                                          a_manager):
    # D's small count is in the other column from A's: merged, A + D would be [6 + 3, 2 + 9] with no
    # small cell, and 9 − A's shown 6 would give D's hidden 3 back.
    office = Organisation.objects.create(name="事業所D", prefecture=tokyo, kind=a_kind)
    _engage(office, "volunteer", 3, a_manager)
    _engage(office, "employed", 9, a_manager)
    login_two_step(client, a_coordinator)
    response = client.get(PAGE, QUERY)
    assert _rows(response.context["view"])["事業所D"]["counts"] == ["<5", 0, 9]
    comparison = response.context["comparison"]
    assert comparison.result.rows == ["事業所B", "事業所C"]
    assert {c.observed for c in comparison.result.cells} <= _shown_numbers(response.context["view"])
    assert "2群" in str(next(c.message for c in comparison.cautions if c.code == "small_left_out"))
    merged = client.get(PAGE, {**QUERY, "merge": "on"}).context["comparison"].result
    assert set(merged.rows) <= {"事業所B", "事業所C", str(selectors.MERGED)}


def test_a_count_over_years_holding_a_small_year_is_hidden(client, three_offices, a_coordinator, admin_user):
    import datetime

    # B also took on 3 volunteers in FY2024: 2024–2025 shows 15, and 15 − 2025's shown 12 = 3.
    for _ in range(3):
        Engagement.objects.create(person=admin_user, organisation=three_offices["事業所B"], kind="volunteer",
                                  start_date=datetime.date(2024, 6, 1), confirmed_by=admin_user,
                                  confirmed_at=timezone.now())
    login_two_step(client, a_coordinator)
    one_year = _rows(client.get(PAGE, QUERY).context["view"])
    assert one_year["事業所B"]["counts"] == [12, 0, 8]
    response = client.get(PAGE, {**QUERY, "year_from": "2024"})
    view = response.context["view"]
    assert _rows(view)["事業所B"]["counts"] == ["x", 0, 8] and _rows(view)["事業所B"]["total"] == "x"
    assert view.column_totals[0] == "x" and view.total == "x"
    assert response.context["comparison"].refused.code == "too_few_rows"  # only C is left to compare
    api = _api(a_coordinator).get(API_TABLE, {**API_QUERY, "from": "2024"}).json()
    assert {r["label"]: r["counts"] for r in api["rows"]}["事業所B"] == ["x", 0, 8]
    text = b"".join(client.get(PAGE + "export.csv", {**QUERY, "year_from": "2024"}).streaming_content)
    assert "事業所B,x,0,8,x" in text.decode("utf-8-sig")
    full = _api(admin_user).get(API_TABLE, {**API_QUERY, "from": "2024"}).json()
    assert {r["label"]: r["counts"] for r in full["rows"]}["事業所B"] == [15, 0, 8]


def test_an_upload_takes_full_width_digits_and_refuses_odd_ones_with_a_message(client, a_coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_two_step(client, a_coordinator)
    wide = client.post(PAGE, {"table_file": SimpleUploadedFile("w.csv", "group,a,b\nA,１０,20\nB,30,15\n".encode())})
    assert wide.context["comparison"].result.observed == [[10, 20], [30, 15]]
    for body in ("group,a,b\nA,٣,1\nB,1,2\n", "group,a,b\nA,1.5,1\nB,1,2\n", "group,a,b\nA," + "9" * 5000 + ",1\nB,1,2\n",
                 "group,a,b\nA\x00,1,1\nB,1,2\n"):
        response = client.post(PAGE, {"table_file": SimpleUploadedFile("odd.csv", body.encode())})
        assert response.status_code == 200 and response.context["comparison"] is None
        assert response.context["upload"].errors["table_file"]


def test_an_export_with_a_malformed_choice_says_why_in_both_languages(client, a_coordinator):
    """A bad choice in the export's address (an unknown source, a year in letters) is a 400 with
    the form's own message, not a bare 404 and not a file."""
    login_two_step(client, a_coordinator)
    response = client.get(PAGE + "export.csv", {**QUERY, "source": "nothing", "year_from": "２０２５x"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "error-summary" in response.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/en" + PAGE + "export.xlsx", {**QUERY, "source": "nothing"})
    assert english.status_code == 400
    assert "Select a valid choice" in english.content.decode()
