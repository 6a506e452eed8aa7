"""Pages with furigana beside the same pages without, in process, in the same run (target: ≤ 1.5×).

A throwaway test database gets the demo data; Django's test client renders each page through the
whole stack with the page cache off (with it on, both variants are cache hits and cost the
same). For each page, rounds alternate between the plain visitor and one with the cookie
`furigana=on`, so that both meet the same machine load; the table gives the median and p95 time
per page and the ratio of the medians. Also: one page's ruby pass with every cache cleared (the
first visit after a restart), and the HTML parser's pass alone on a page.
Environment: BENCH_SECONDS (per page and variant, default 3), BENCH_ROUNDS (default 5), and the
database at BENCH_DATABASE_URL. One RESULT per page: the median with furigana beside the median
without (goal, issue 16: ≤ 1.5×).
"""

from __future__ import annotations

import os
import statistics
import time

from django.test import Client
from django.test.utils import override_settings

from bench import demo_database, env_seconds, p95, result, timed_gets

SECONDS = env_seconds(3)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
GOAL_RATIO = 1.5

PAGES = [  # (label, address, the figure's name)
    ("home page (Wagtail)", "/", "home"),
    ("course listing (Wagtail)", "/courses/", "courses"),
    ("sign-in page (allauth)", "/accounts/login/", "sign_in"),
    ("my page (signed in)", "/me/", "my_page"),
]


def _clients(furigana: bool, user) -> tuple[Client, Client]:
    visitor, member = Client(), Client()
    if furigana:
        visitor.cookies["furigana"] = "on"
    member.force_login(user)
    return visitor, member


def run() -> None:
    from peers import furigana
    from peers.models import User

    with demo_database():
        user = User.objects.get(email="peer@example.org")
        with override_settings(ALLOWED_HOSTS=["testserver"], KAKEHASHI_PAGE_CACHE=False):
            print(f"{'page':<30}{'without ms':>12}{'p95':>8}{'with ms':>10}{'p95':>8}{'ratio':>8}  ruby")
            figures = []
            for label, url, name in PAGES:
                signed_in = url == "/me/"
                without, with_ = [], []
                for _ in range(ROUNDS):
                    for on, bucket in ((False, without), (True, with_)):
                        visitor, member = _clients(on, user)
                        if signed_in:
                            User.objects.filter(pk=user.pk).update(furigana="on" if on else "off")
                        client = member if signed_in else visitor
                        bucket.extend(timed_gets(client, url, SECONDS / ROUNDS))
                client = _clients(True, user)[1 if signed_in else 0]
                rubies = client.get(url).content.decode().count("<ruby>")
                a, b = statistics.median(without) * 1000, statistics.median(with_) * 1000
                print(f"{label:<30}{a:>12.2f}{p95(without) * 1000:>8.2f}{b:>10.2f}"
                      f"{p95(with_) * 1000:>8.2f}{b / a:>7.2f}×  {rubies}", flush=True)
                figures.append((name, b, a))
            User.objects.filter(pk=user.pk).update(furigana="off")

            document = Client().get("/").content.decode()
            for name in ("ruby_html", "ruby_text", "ruby_parts"):
                getattr(furigana, name).cache_clear()
            from peers import japanese
            japanese._analyse.cache_clear()
            started = time.perf_counter()
            furigana.ruby_document(document)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(20):
                furigana.ruby_document(document)
            warm = (time.perf_counter() - started) / 20
            print(f"ruby pass over the home page ({len(document):,} characters): first {cold * 1000:.1f} ms "
                  f"(nothing cached), then {warm * 1000:.2f} ms (texts cached: the HTML parser's pass)")
        for name, with_ms, without_ms in figures:
            result("furigana", f"{name}_median", with_ms, "ms", without_ms,
                   f"≤ {GOAL_RATIO}× the same page without furigana", with_ms <= GOAL_RATIO * without_ms)
