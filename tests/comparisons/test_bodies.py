"""協議の場 indicators: a consultation body's figures for a fiscal year, worked out by hand for a
small world; who may read them; the annual report as PDF and Excel; the bodies compared."""

from __future__ import annotations

import datetime
import io
import math
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from collaboration.models import (
    ActionItem,
    Attendance,
    BodyMember,
    ConsultationBody,
    Decision,
    Meeting,
    Sector,
    SpeakerQueueEntry,
)
from peers.models import Role
from tests.collaboration.activity_support import *  # noqa: F403
from tests.conftest import login_two_step
from tests.training.pdftext import pdf_text

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
LIST = "/staff/comparisons/bodies/"


def at(y, m, d, h=10, minute=0, s=0):
    return datetime.datetime(y, m, d, h, minute, s, tzinfo=JST)


def _meeting(body, start, status=Meeting.Status.CLOSED, title="定例会"):
    return Meeting.objects.create(body=body, title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                  status=status)


def _attend(meeting, people):
    for user, sector in people:
        Attendance.objects.create(meeting=meeting, user=user, sector=sector)


def _turn(meeting, user, sector, called, seconds, status=SpeakerQueueEntry.Status.DONE):
    SpeakerQueueEntry.objects.create(
        meeting=meeting, user=user, sector=sector, status=status, raised_at=called, called_at=called,
        done_at=called + datetime.timedelta(seconds=seconds) if seconds is not None else None)


def _action(meeting, created, status=ActionItem.Status.OPEN, updated=None):
    return ActionItem.objects.create(meeting=meeting, description="資料を作る", status=status, created_at=created,
                                     updated_at=updated or created)


@pytest.fixture
def world(make_user, tokyo):
    """Two bodies in Tokyo. Fiscal year 2025 (2025-04-01 to 2026-03-31, Japan time):

    Body A: M1 at 2025-04-01 00:30 (the first half hour of the year) and M2 at 2026-03-31 23:30
    (its last), both held; M3 at 2026-04-01 00:10 (FY2026) and M4 scheduled in October, neither
    counted. Present: M1 3 peers, 2 medical, 1 administration; M2 4 peers, 2 medical; M3 1 peer.
    So FY2025: peers 7, medical 4, administration 1: 12 in all, peers' share 7/12 = 58.3 %.
    Turns: M1 peer 180 s, peer 120 s, medical 300 s; M2 peer 60 s, administration still called
    (no end: no time), a hand still raised (not a turn); M3 a peer turn (FY2026). So peers 3 turns
    (6 min), medical 1 (5 min), administration 1 (0 min): 5 turns, 11 minutes.
    Action items: a (2025-05, open), b (2025-06, done 2025-12), c (2024-12, dropped 2025-07),
    d (2026-04-02, open). Opened in FY2025: a, b = 2; done 1; dropped 1; open now a, d = 2.

    Body B: M5 at 2025-06-01 held: 2 peers, 8 medical."""
    peers = [make_user(display_name=f"ピア{i}", roles=[(Role.PEER, {})]) for i in range(4)]
    medics = [make_user(display_name=f"医療{i}", roles=[(Role.PROFESSIONAL, {})]) for i in range(8)]
    officer = make_user(display_name="行政")
    a = ConsultationBody.objects.create(name="東京都協議の場", level=ConsultationBody.Level.PREFECTURE,
                                        prefecture=tokyo, description="地域移行を進める。")
    b = ConsultationBody.objects.create(name="東京都第二協議の場", level=ConsultationBody.Level.PREFECTURE,
                                        prefecture=tokyo)
    coordinator_a = make_user(display_name="調整A", mfa=True)
    coordinator_b = make_user(display_name="調整B", mfa=True)
    BodyMember.objects.create(body=a, user=coordinator_a, sector=Sector.ADMINISTRATION, is_coordinator=True)
    BodyMember.objects.create(body=b, user=coordinator_b, sector=Sector.ADMINISTRATION, is_coordinator=True)
    BodyMember.objects.create(body=a, user=peers[0], sector=Sector.PEER)

    m1 = _meeting(a, at(2025, 4, 1, 0, 30))
    m2 = _meeting(a, at(2026, 3, 31, 23, 30))
    m3 = _meeting(a, at(2026, 4, 1, 0, 10))
    _meeting(a, at(2025, 10, 1), status=Meeting.Status.SCHEDULED)
    P, M, AD = Sector.PEER, Sector.MEDICAL, Sector.ADMINISTRATION
    _attend(m1, [(peers[0], P), (peers[1], P), (peers[2], P), (medics[0], M), (medics[1], M), (officer, AD)])
    _attend(m2, [(peers[0], P), (peers[1], P), (peers[2], P), (peers[3], P), (medics[0], M), (medics[1], M)])
    _attend(m3, [(peers[0], P)])
    _turn(m1, peers[0], P, at(2025, 4, 1, 0, 40), 180)
    _turn(m1, peers[1], P, at(2025, 4, 1, 0, 50), 120)
    _turn(m1, medics[0], M, at(2025, 4, 1, 1, 0), 300)
    _turn(m2, peers[2], P, at(2026, 3, 31, 23, 35), 60)
    _turn(m2, officer, AD, at(2026, 3, 31, 23, 40), None, status=SpeakerQueueEntry.Status.CALLED)
    SpeakerQueueEntry.objects.create(meeting=m2, user=peers[3], sector=P, status=SpeakerQueueEntry.Status.WAITING)
    _turn(m3, peers[0], P, at(2026, 4, 1, 0, 20), 600)
    _action(m1, at(2025, 5, 1))
    _action(m1, at(2025, 6, 1), ActionItem.Status.DONE, at(2025, 12, 1))
    _action(m1, at(2024, 12, 1), ActionItem.Status.DROPPED, at(2025, 7, 1))
    _action(m3, at(2026, 4, 2))
    Decision.objects.create(meeting=m1, text="ピア委員の謝金を見直す")

    m5 = _meeting(b, at(2025, 6, 1))
    _attend(m5, [(peers[0], P), (peers[1], P), *((medics[i], M) for i in range(8))])
    return {"a": a, "b": b, "coordinator_a": coordinator_a, "coordinator_b": coordinator_b, "peer": peers[0],
            "m1": m1}


def _page(pk):
    return f"{LIST}{pk}/"


def test_the_figures_of_a_fiscal_year_are_the_ones_worked_out_by_hand(client, world, admin_user):
    login_two_step(client, admin_user)
    response = client.get(_page(world["a"].pk), {"year": "2025"})
    assert response.status_code == 200
    report = response.context["report"]
    f = report.figures
    assert (f.meetings_held, f.meetings_scheduled) == (2, 1)
    rows = {r["sector"]: r for r in report.rows}
    assert (rows["peer"]["attendance"], rows["medical"]["attendance"], rows["administration"]["attendance"]) == (7, 4, 1)
    assert rows["family"]["attendance"] == 0
    assert report.totals == {"attendance": 12, "turns": 5, "minutes": 11}
    assert report.peer_share == 58.3
    assert (rows["peer"]["turns"], rows["peer"]["minutes"]) == (3, 6)
    assert (rows["medical"]["turns"], rows["medical"]["minutes"]) == (1, 5)
    assert (rows["administration"]["turns"], rows["administration"]["minutes"]) == (1, 0)
    assert (f.actions_opened, f.actions_done, f.actions_dropped, f.actions_open_now) == (2, 1, 1, 2)
    assert [text for _at, text in f.decisions] == ["ピア委員の謝金を見直す"]
    assert "地域移行を進める。" in response.content.decode()


def test_the_next_fiscal_year_holds_only_its_own_meeting(client, world, admin_user):
    login_two_step(client, admin_user)
    report = client.get(_page(world["a"].pk), {"year": "2026"}).context["report"]
    assert report.figures.meetings_held == 1
    assert report.totals == {"attendance": 1, "turns": 1, "minutes": 10}
    assert report.figures.actions_opened == 1 and report.figures.decisions == []


def test_the_body_coordinator_sees_small_counts_as_under_5(client, world):
    login_two_step(client, world["coordinator_a"])
    response = client.get(_page(world["a"].pk), {"year": "2025"})
    assert response.status_code == 200
    report = response.context["report"]
    rows = {r["sector"]: r for r in report.rows}
    assert rows["peer"]["attendance"] == 7 and rows["medical"]["attendance"] == "<5"
    assert rows["administration"]["attendance"] == "<5" and rows["family"]["attendance"] == 0
    # Peers' 3 turns are under 5, and so is their time's secret: both hidden; every total with them is "x".
    assert (rows["peer"]["turns"], rows["peer"]["minutes"]) == ("<5", "x")
    assert report.totals == {"attendance": "x", "turns": "x", "minutes": "x"}
    assert report.peer_share == "x"
    assert report.figures.meetings_held == 2  # meetings and action items count no people
    assert "&lt;5" in response.content.decode()


def test_another_bodys_coordinator_a_peer_and_no_two_step_get_nothing(client, world, a_coordinator):
    a = world["a"].pk
    login_two_step(client, world["coordinator_b"])
    for path in (_page(a), _page(a) + "report.pdf", _page(a) + "report.xlsx"):
        assert client.get(path, {"year": "2025"}).status_code == 404
    assert client.get(_page(world["b"].pk), {"year": "2025"}).status_code == 200
    client.logout()
    login_two_step(client, world["peer"])  # a member of A, not its coordinator
    for path in (LIST, _page(a), _page(a) + "report.pdf", _page(a) + "report.xlsx"):
        assert client.get(path, {"year": "2025"}).status_code == 403
    client.logout()
    client.force_login(world["coordinator_a"])  # no second step in this session: sent to take it
    for path in (LIST, _page(a), _page(a) + "report.xlsx"):
        response = client.get(path, {"year": "2025"})
        assert response.status_code == 302 and response["Location"].startswith("/account/security/two-step/")
    client.logout()
    client.force_login(a_coordinator)  # the region's coordinator, without two-step
    response = client.get(_page(a), {"year": "2025"})
    assert response.status_code == 302 and response["Location"].startswith("/account/security/two-step/")
    client.logout()
    login_two_step(client, a_coordinator)  # with it: both Tokyo bodies
    listed = client.get(LIST)
    assert {b.pk for b in listed.context["bodies"]} == {world["a"].pk, world["b"].pk}


def test_the_annual_report_pdf_is_japanese_and_holds_the_figures(client, world, admin_user):
    login_two_step(client, admin_user)
    client.cookies["django_language"] = "en"  # the report is Japanese whatever the page's language
    response = client.get(_page(world["a"].pk) + "report.pdf", {"year": "2025"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "東京都協議の場" in text and "2025年度" in text
    assert "開催した会議" in text and "ピアの割合" in text and "58.3 %" in text
    assert "ピア委員の謝金を見直す" in text
    lines = text.splitlines()
    peer = lines.index("ピア（当事者）")
    assert lines[peer + 1:peer + 4] == ["7", "3", "6"]


def test_the_annual_report_excel_holds_the_figures_and_hides_small_counts_from_a_coordinator(client, world):
    login_two_step(client, world["coordinator_a"])
    response = client.get(_page(world["a"].pk) + "report.xlsx", {"year": "2025"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    by_label = {row[0]: tuple(row[1:]) for row in rows if row and row[0]}
    assert "東京都協議の場" in rows[0][0]
    assert by_label["開催した会議"][0] == 2
    assert by_label["新たな対応事項"][0] == 2
    assert by_label["医療"][:3] == ("<5", "<5", "x")  # 4 present, 1 turn of 5 minutes
    assert by_label["ピア（当事者）"][:3] == (7, "<5", "x")
    assert by_label["合計"][:3] == ("x", "x", "x")


def test_bad_fiscal_year_is_answered_in_both_languages_never_a_500(client, world, admin_user):
    login_two_step(client, admin_user)
    page = _page(world["a"].pk)
    for value in ("abc", "1999", "２０２５x", "9" * 30):
        for path in (page, page + "report.pdf", page + "report.xlsx"):
            response = client.get(path, {"year": value})
            assert response.status_code == 400, (path, value)
            assert "error-summary" in response.content.decode()
    assert "整数を入力してください" in client.get(page, {"year": "abc"}).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/en" + page, {"year": "abc"})
    assert english.status_code == 400 and "Enter a whole number" in english.content.decode()
    assert client.get(LIST, {"year": "abc"}).status_code == 400
    assert client.get(f"{LIST}999999/", {"year": "2025"}).status_code == 404


def test_the_page_runs_the_same_queries_whatever_the_number_of_meetings(client, world, admin_user,
                                                                       django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_two_step(client, admin_user)
    page = _page(world["a"].pk)
    client.get(page, {"year": "2025"})
    with CaptureQueriesContext(connection) as before:
        client.get(page, {"year": "2025"})
    # The session, the person, their roles and authenticator, the body, then the figures' five reads
    # (meetings, attendance, turns, action items, decisions) and the layout's own.
    assert len(before) == 11
    for day in range(1, 8):
        m = _meeting(world["a"], at(2025, 9, day))
        _attend(m, [(world["peer"], Sector.PEER), (world["coordinator_a"], Sector.ADMINISTRATION)])
        _turn(m, world["peer"], Sector.PEER, at(2025, 9, day, 11), 30)
        _action(m, at(2025, 9, day))
        Decision.objects.create(meeting=m, text=f"決定{day}")
    with django_assert_num_queries(len(before)):
        response = client.get(page, {"year": "2025"})
    assert response.context["report"].figures.meetings_held == 9


def _hand_chi2(table):
    n = sum(map(sum, table))
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table, strict=True)]
    return sum((table[i][j] - rows[i] * cols[j] / n) ** 2 / (rows[i] * cols[j] / n)
               for i in range(len(rows)) for j in range(len(cols)))


def test_the_bodies_compare_by_attendance_by_sector(client, world, admin_user):
    """Administrator: A (peers 7, medical 4, administration 1) against B (2, 8, 0). By hand:
    n = 22, rows 12 / 10, columns 9 / 12 / 1; E = 4.909, 6.545, 0.545 / 4.091, 5.455, 0.455;
    χ² = 0.891 + 0.990 + 0.379 + 1.069 + 1.188 + 0.455 = 4.9704, df = 2."""
    login_two_step(client, admin_user)
    response = client.get("/staff/comparisons/", {"source": "attendance", "group": "consultation_body",
                                                  "year_from": "2025", "year_to": "2025"})
    assert response.status_code == 200
    rows = {r["label"]: r["counts"] for r in response.context["view"].rows}
    assert rows == {"東京都協議の場": [7, 4, 1], "東京都第二協議の場": [2, 8, 0]}
    assert response.context["view"].column_labels == ["ピア（当事者）", "医療", "行政"]
    result = response.context["comparison"].result
    hand = _hand_chi2([[7, 4, 1], [2, 8, 0]])
    assert hand == pytest.approx(4.9704, abs=1e-4)
    assert result.chi2 == pytest.approx(hand) and result.df == 2
    assert result.p == pytest.approx(math.exp(-hand / 2))  # χ² with 2 df: p = e^(−χ²/2)


def test_the_api_table_of_bodies_hides_small_counts_from_a_coordinator(world, a_coordinator):
    api = APIClient()
    api.force_authenticate(a_coordinator)
    response = api.get("/api/v1/reports/tables/attendance/", {"from": "2025", "to": "2025"})
    assert response.status_code == 200
    data = response.json()
    assert data["group"] == "consultation_body" and data["small_cells_hidden"] is True
    rows = {r["label"]: r["counts"] for r in data["rows"]}
    assert rows == {"東京都協議の場": [7, "<5", "<5"], "東京都第二協議の場": ["<5", 8, 0]}
    assert data["comparison"] is None and data["refused"] is not None  # no group is left to compare


def test_a_named_coordinator_compares_only_the_bodies_they_coordinate(client, world):
    login_two_step(client, world["coordinator_b"])
    response = client.get("/staff/comparisons/", {"source": "attendance", "year_from": "2025", "year_to": "2025"})
    assert response.status_code == 200
    assert [r["label"] for r in response.context["view"].rows] == ["東京都第二協議の場"]


def test_the_bodies_table_runs_the_same_queries_whatever_the_number_of_bodies(client, world, admin_user, tokyo,
                                                                             django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_two_step(client, admin_user)
    query = {"source": "attendance", "year_from": "2025", "year_to": "2026"}
    client.get("/staff/comparisons/", query)
    with CaptureQueriesContext(connection) as before:
        client.get("/staff/comparisons/", query)
    for n in range(3):
        body = ConsultationBody.objects.create(name=f"協議の場{n}", level=ConsultationBody.Level.PREFECTURE,
                                               prefecture=tokyo)
        for day in (1, 2):
            _attend(_meeting(body, at(2025, 7, day)), [(world["peer"], Sector.PEER),
                                                       (world["coordinator_a"], Sector.MEDICAL)])
    with django_assert_num_queries(len(before)):
        response = client.get("/staff/comparisons/", query)
    assert len(response.context["view"].rows) == 5
