"""The benches (bench/) import, and each figure's RESULT line reads as issue 20 says:

    RESULT <bench>.<figure> value=<number><unit> baseline=<number><unit> ratio=<number> goal=<text> met=<yes|no>
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import bench
from bench import _database

NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|nan|inf"
RESULT = re.compile(
    rf"^RESULT (?P<bench>[a-z_]+)\.(?P<figure>[a-z0-9_]+) "
    rf"value=(?P<value>{NUMBER})(?P<unit>[^\s\d][^\s]*)? "
    rf"baseline=(?P<baseline>{NUMBER})(?P=unit)? "
    rf"ratio=(?P<ratio>{NUMBER}) goal=(?P<goal>\S+) met=(?P<met>yes|no)$"
)

MODULES = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def test_every_bench_is_found():
    assert {"activity", "certification_sweep", "comparisons", "furigana", "people_import", "search"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_each_bench_imports_and_has_a_run_and_a_summary(name):
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.run)
    assert (module.__doc__ or "").strip()  # `python -m bench` prints its first line


def test_result_line_has_the_issues_shape(capsys):
    line = bench.result("activity", "organisation_page_p95", 41.23456, "ms", 12.5,
                        "p95 ≤ 50 ms at 10^7 entries", True, ratio=12.5 / 41.23456)
    assert capsys.readouterr().out == line + "\n"
    match = RESULT.match(line)
    assert match, line
    assert match["bench"] == "activity" and match["figure"] == "organisation_page_p95"
    assert (float(match["value"]), match["unit"], float(match["baseline"])) == (41.23, "ms", 12.5)
    assert float(match["ratio"]) == pytest.approx(0.303, abs=1e-3)
    assert match["goal"] == "p95_≤_50_ms_at_10^7_entries" and match["met"] == "yes"


def test_result_line_default_ratio_units_and_a_missed_goal(capsys):
    line = bench.result("people_import", "applied", 25.0, "ms/row", 0.25, "≤ 20 ms a row", False)
    match = RESULT.match(line)
    assert match, line
    assert match["unit"] == "ms/row" and float(match["ratio"]) == 100.0 and match["met"] == "no"
    # No unit, a zero baseline: still one parseable line.
    line = bench.result("furigana", "home_median", 3.0, "", 0.0, "≤ 1.5×", False)
    assert RESULT.match(line) and "ratio=nan" in line
    capsys.readouterr()


def test_the_bench_database_is_a_fresh_one_on_the_named_server(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    assert _database.database_url() == "postgres://postgres@127.0.0.1:5432/kakehashi_bench"
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@db.example:6543/kk_act_bench")
    assert _database.database_url() == "postgres://postgres@db.example:6543/kk_act_bench"
    # The throwaway database never has the name of an existing one: the process id is added.
    assert re.fullmatch(r"kk_act_bench_\d+", _database.throwaway_name())
    monkeypatch.setenv("BENCH_DATABASE_URL", "sqlite://")
    assert _database.database_url() == "sqlite://:memory:"


def test_the_activity_bench_gives_every_required_column_of_an_entry():
    """bench/activity.py writes its entries in SQL: a column added to ActivityEntry without a
    value there made the bench fail at its first row (recovery_personal, verification_waived)."""
    from bench.activity import entry_columns_missing

    assert entry_columns_missing() == []
