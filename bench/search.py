"""Site search at scale: 10^6 room messages and 10^4 website pages, search p95 beside a plain ILIKE.

Loads BENCH_MESSAGES room messages (default 1,000,000) in 1,000 meetings and BENCH_PAGES Wagtail
pages (default 10,000) into a throwaway test database with COPY, each with its search entry
(cms.SearchEntry, tokens from the morphological analysis of its phrases), builds the GIN index,
then times, as a peer invited to 20 of the meetings and as an administrator who sees them all:
`search_for` (access from the apps' selectors + the token match, one page of 11 rows), the
search page through Django's test Client, and beside them the same query with `text ILIKE
'%word%'` in place of the token match over the same rows, in the same run.

Goal (issue 16): search p95 ≤ 50 ms on PostgreSQL at 10^6 messages and 10^4 pages. Each query
is timed for BENCH_SECONDS (default 2; at least 20 runs, 5 for the ILIKE baseline).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python -m bench search
        # BENCH_MESSAGES=100000 for a quick run
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

from bench import env_seconds, p95, result

MEETINGS = 1000
INVITED = 20
GOAL_MS = 50

# Phrases of the field; each message is two or three of them. The last is rare (1 in 1,000).
PHRASES = [
    "退院後の生活について相談しました", "医療と福祉の連携が話題になりました", "地域移行支援の事例を共有します",
    "ピアサポーターの参画を進めます", "就労継続支援B型の見学に行きました", "家族会からの報告がありました",
    "グループホームの空き状況を確認します", "当事者研究の会を開きます", "精神科デイケアの予定です",
    "相談支援専門員と面談しました", "保健所の担当者が来ます", "次回の協議の場は来月です",
    "研修の申込みを受け付けています", "ピアスタッフの雇用について意見交換", "合理的配慮の申出がありました",
    "資料は事前に送ります", "休憩を多めに取ります", "オンラインで参加します", "議事録の確認をお願いします",
    "地域包括ケアシステムの進め方", "訪問看護との連携", "ハローワークの同行支援", "生活訓練の振り返り",
    "傾聴と共感を大切にしています", "言語化サポートの練習をしました", "夜間の電話相談の体制",
    "市の障害福祉課に確認します", "入院中の方への面会", "自立生活援助の利用", "本日はよろしくお願いします",
]
RARE = "灯台の見える施設で会議をしました"
ENGLISH = [
    "Peer supporters are supporting people after discharge", "Training for peer support specialists",
    "Community care and recovery", "Minutes of the regional meeting", "Family support and listening",
]


def _time(fn, *, at_least: int = 20) -> tuple[float, float]:
    """Median and p95 (ms) of `fn` called for BENCH_SECONDS (and at least `at_least` times)."""
    fn()
    fn()
    timings = []
    deadline = time.perf_counter() + env_seconds(2)
    while time.perf_counter() < deadline or len(timings) < at_least:
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), p95(timings)


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(4, "0")


def _load(messages: int, pages: int):
    import uuid

    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from cms.models import HomePage, SearchEntry
    from cms.search import index_terms
    from collaboration.models import ConsultationBody, Meeting, MeetingInvitation, Message
    from peers.models import Prefecture, Role, User
    from peers.services import role_grant

    rng = random.Random(16)
    phrase_terms = {p: index_terms(p) for p in [*PHRASES, RARE, *ENGLISH]}
    prefecture = Prefecture.objects.get(code="13")
    body = ConsultationBody.objects.create(name="ベンチ 協議の場", level="prefecture", prefecture=prefecture)
    now = timezone.now()
    meetings = Meeting.objects.bulk_create([
        Meeting(body=body, title=f"第{i + 1}回 協議の場", starts_at=now - datetime.timedelta(days=i),
                ends_at=now - datetime.timedelta(days=i) + datetime.timedelta(hours=2), place="会議室")
        for i in range(MEETINGS)
    ])
    peer = User.objects.create_user(email="bench-peer@example.test", display_name="ピア", password="x")
    MeetingInvitation.objects.bulk_create([
        MeetingInvitation(meeting=m, user=peer, sector="peer") for m in rng.sample(meetings, INVITED)
    ])
    admin = User.objects.create_user(email="bench-admin@example.test", display_name="管理者", password="x")
    role_grant(user=admin, role=Role.ADMIN)
    TOTP.activate(admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    entry_table = SearchEntry._meta.db_table
    message_table = Message._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")
        raw = cursor.cursor
        per_meeting = max(1, messages // MEETINGS)
        entries = []
        with raw.copy(f"COPY {message_table} (id, meeting_id, seq, rev, author_id, body, content_note, hidden_reason, "
                      "mentioned, created_at) FROM STDIN") as copy:
            pk = 0
            for meeting in meetings:
                for seq in range(1, per_meeting + 1):
                    pk += 1
                    chosen = rng.sample(PHRASES, rng.choice((2, 3)))
                    if rng.random() < 0.001:
                        chosen.append(RARE)
                    text = "。".join(chosen) + "。"
                    at = meeting.starts_at + datetime.timedelta(seconds=seq)
                    copy.write_row((pk, meeting.pk, seq, seq, peer.pk, text, False, "", "[]", at))
                    terms = dict.fromkeys([*(t for p in chosen for t in phrase_terms[p]), "@meeting",
                                           f"@m:{meeting.pk}"])
                    entries.append(("message", pk, "", "", "", meeting.title, text, " ".join(terms), f"#m{seq}",
                                    meeting.pk, None, False, False, at))
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{message_table}', 'id'), %s)", [pk])

        # Website pages: Page rows under the Japanese home, placed in the tree by path.
        home = HomePage.objects.get(locale__language_code="ja") if HomePage.objects.filter(
            locale__language_code="ja").exists() else None
        root = Page.objects.get(depth=1)
        if home is None:
            home = HomePage(title="ホーム", slug="bench-home", locale=Locale.objects.get(language_code="ja"))
            root.add_child(instance=home)
            home.save_revision().publish()
        page_type = ContentType.objects.get_for_model(Page)
        base = Page.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rows = []
        for i in range(pages):
            chosen = rng.sample(PHRASES + ENGLISH, 4)
            title = f"お知らせ {i}"
            rows.append(Page(
                pk=base + i + 1, title=title, draft_title=title, slug=f"bench-{i}", content_type=page_type,
                path=home.path + _base36(home.numchild + i + 1), depth=home.depth + 1, numchild=0,
                url_path=f"{home.url_path}bench-{i}/", live=True, has_unpublished_changes=False,
                locale_id=home.locale_id, translation_key=uuid.uuid4(), first_published_at=now,
                last_published_at=now,
            ))
            text = "。".join(chosen)
            terms = dict.fromkeys([*index_terms(title), *(t for p in chosen for t in phrase_terms[p]), "@page:ja"])
            entries.append(("page", base + i + 1, "ja", title, "", "", text, " ".join(terms), f"/bench-{i}/",
                            None, None, True, False, now - datetime.timedelta(minutes=i)))
        Page.objects.bulk_create(rows, batch_size=2000)
        Page.objects.filter(pk=home.pk).update(numchild=home.numchild + pages)
        with raw.copy(f"COPY {entry_table} (kind, object_id, language, title, title_en, \"where\", text, tokens, "
                      "url, parent_id, owner_id, is_public, flagged, updated_at) FROM STDIN") as copy:
            for row in entries:
                copy.write_row(row)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("CREATE INDEX search_entry_vector_gin ON cms_searchentry USING gin (vector)")
        for table in (entry_table, message_table, "wagtailcore_page"):
            cursor.execute(f"ANALYZE {table}")
        indexed = time.perf_counter() - started
    print(f"loaded {pk:,} messages in {MEETINGS:,} meetings and {pages:,} pages with their search entries "
          f"in {loaded:.1f}s; GIN index built in {indexed:.1f}s ({connection.vendor})")
    return peer, admin


def run() -> None:
    from django.db import connection
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL
    from django.test import Client
    from django.test.utils import override_settings

    from bench._database import bench_database
    from cms.search import ORDERING, parse_query, search_entry_list_for, search_for
    from peers.access import two_step_mark

    if connection.vendor != "postgresql":
        print("skipped: the search bench needs PostgreSQL (BENCH_DATABASE_URL)")
        return
    messages = int(os.environ.get("BENCH_MESSAGES", "1000000"))
    pages = int(os.environ.get("BENCH_PAGES", "10000"))
    with bench_database():
        peer, admin = _load(messages, pages)
        admin = two_step_mark(admin, passed=True)
        from cms.models import SearchEntry

        def tokens(user, q):
            query = parse_query(q)

            def go():
                rows = list(search_for(user, query, language="ja")[:11])
                return rows
            return go

        def ilike(user, word):
            def go():
                qs = search_entry_list_for(user, language="ja").filter(
                    RawSQL('"cms_searchentry"."text" ILIKE %s', [f"%{word}%"], output_field=BooleanField()))
                return list(qs.order_by(*ORDERING)[:11])
            return go

        client = Client()
        client.force_login(peer)

        def page(q):
            def go():
                response = client.get("/search/", {"q": q})
                assert response.status_code == 200, response.status_code
            return go

        total = SearchEntry.objects.count()
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            cases = [  # (query, the word ILIKE looks for, the figure's name)
                ("退院後", "退院", "taiin"), ("医療と福祉", "医療", "iryou"), ("灯台", "灯台", "toudai"),
                ("supporting", "support", "supporting"),
            ]
            figures = []
            print(f"{total:,} search entries; the peer sees {INVITED} meetings, the administrator all {MEETINGS:,}")
            print(f"{'':<58}{'median ms':>10}{'p95 ms':>10}{'rows':>6}")
            ilike_p95 = {}
            for who, user in (("peer", peer), ("administrator", admin)):
                for q, word, name in cases:
                    found = len(tokens(user, q)())
                    timed = []
                    for label, fn, at_least in ((f"{who}: search “{q}” (tokens, GIN)", tokens(user, q), 20),
                                                (f"  plain ILIKE '%{word}%', same rows and access", ilike(user, word),
                                                 5)):
                        median, high = _time(fn, at_least=at_least)
                        timed.append(high)
                        print(f"{label:<58}{median:>10.1f}{high:>10.1f}{found:>6}", flush=True)
                    ilike_p95[(who, name)] = timed[1]
                    figures.append((f"{who}_{name}_p95", *timed))
            for q, _, name in cases[:3]:
                median, high = _time(page(q))
                print(f"{f'peer: search page /search/?q={q}':<58}{median:>10.1f}{high:>10.1f}", flush=True)
                figures.append((f"page_peer_{name}_p95", high, ilike_p95[("peer", name)]))
            if os.environ.get("BENCH_EXPLAIN"):
                qs = search_for(peer, parse_query("退院後"), language="ja")[:11]
                print(qs.explain(analyze=True))
        goal = f"p95 ≤ {GOAL_MS} ms (issue 16: at 10^6 messages and 10^4 pages; this run {total} entries)"
        for figure, value, baseline in figures:
            result("search", figure, value, "ms", baseline, goal, value <= GOAL_MS, ratio=baseline / value)
