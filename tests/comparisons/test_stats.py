"""The χ² comparison against values worked out by hand, the refusals and the cautions."""

from __future__ import annotations

import math

import pytest

from comparisons import stats


def test_two_by_two_matches_the_hand_calculation():
    # N = 75, row totals 30 / 45, column totals 40 / 35: E = 16, 14, 24, 21.
    result = stats.compare(["renewed", "lapsed"], [("A", [10, 20]), ("B", [30, 15])])
    chi2 = 36 / 16 + 36 / 14 + 36 / 24 + 36 / 21
    assert result.chi2 == pytest.approx(chi2)
    assert result.df == 1
    assert result.p == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))  # df 1: P(χ² > x) = erfc(√(x/2))
    assert result.cramers_v == pytest.approx(math.sqrt(chi2 / 75))
    assert [c.expected for c in result.cells] == pytest.approx([16, 14, 24, 21])
    r = -6 / math.sqrt(16 * (1 - 30 / 75) * (1 - 40 / 75))
    assert [c.adjusted_residual for c in result.cells] == pytest.approx([r, -r, -r, r])
    assert {c.flag for c in result.cells} == {"p01"}  # |r| = 2.83 > 2.576


def test_two_by_three_flags_each_cell_at_its_own_level():
    # N = 60, rows 30 / 30, columns 30 / 15 / 15: E = 15, 7.5, 7.5 in both rows.
    result = stats.compare(["a", "b", "c"], [("X", [10, 10, 10]), ("Y", [20, 5, 5])])
    chi2 = 2 * (25 / 15 + 6.25 / 7.5 + 6.25 / 7.5)
    assert result.chi2 == pytest.approx(chi2)
    assert result.df == 2
    assert result.p == pytest.approx(math.exp(-chi2 / 2))  # df 2: P(χ² > x) = e^(−x/2)
    assert result.cramers_v == pytest.approx(math.sqrt(chi2 / 60))
    first = result.cell(0, 0)
    assert first.adjusted_residual == pytest.approx(-5 / math.sqrt(15 * 0.5 * 0.5))  # −2.582
    assert first.flag == "p01"
    second = result.cell(0, 1)
    assert second.adjusted_residual == pytest.approx(2.5 / math.sqrt(7.5 * 0.5 * 0.75))  # 1.491
    assert second.flag is None


def test_a_residual_between_1_96_and_2_576_is_flagged_p05():
    # E = 25 in every cell; r = (O − 25) / √(25 · ½ · ½) = (O − 25) / 2.5
    result = stats.compare(["a", "b"], [("X", [30, 20]), ("Y", [20, 30])])
    assert result.cell(0, 0).adjusted_residual == pytest.approx(2.0)
    assert result.cell(0, 0).flag == "p05"


@pytest.mark.parametrize(("columns", "rows", "code"), [
    (["a", "b"], [("X", [0, 0]), ("Y", [3, 4])], "zero_row"),
    (["a", "b"], [("X", [0, 5]), ("Y", [0, 4])], "zero_column"),
    (["a", "b"], [("X", [1, 5])], "too_few_rows"),
    (["a"], [("X", [1]), ("Y", [2])], "too_few_columns"),
    (["a", "b"], [("X", [1, 5]), ("Y", [2])], "ragged"),
    (["a", "b"], [("X", [1, -5]), ("Y", [2, 3])], "not_counts"),
])
def test_degenerate_tables_are_refused_with_a_reason(columns, rows, code):
    with pytest.raises(stats.TableRefused) as refused:
        stats.compare(columns, rows)
    assert refused.value.code == code
    assert str(refused.value.message)


def _codes(result):
    return [c.code for c in result.cautions]


def test_every_result_carries_the_cautions_in_both_languages():
    result = stats.compare(["a", "b"], [("X", [30, 20]), ("Y", [20, 30])])
    assert _codes(result) == ["many_cells", "not_a_cause", "small_groups"]
    for caution in result.cautions:
        text = caution.bilingual()
        assert text["ja"] and text["en"] and text["ja"] != text["en"]
    assert "50" in result.cautions[2].bilingual()["en"]  # the smallest group, and one case = 2 points
    assert "2.0" in result.cautions[2].bilingual()["en"]


def test_sparse_expected_counts_make_the_test_unreliable_and_offer_merging():
    result = stats.compare(["a", "b"], [("X", [1, 2]), ("Y", [3, 10])])
    assert not result.reliable
    assert _codes(result)[0] == "sparse_expected"
    assert "merge" in result.cautions[0].bilingual()["en"].lower()
