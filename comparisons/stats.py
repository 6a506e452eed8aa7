"""Pearson's χ² test of independence on a contingency table, with the adjusted residual of every
cell and the cautions that go with any result (seed 004, chapter 2: a χ² test, then residual
analysis to say which groups differ, read with care).

Pure functions over counts: the table may come from the rollups, an upload or the API."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from scipy.stats import chi2_contingency

P01 = 2.576  # |adjusted residual| above this: p < .01 (two-sided)
P05 = 1.96  # above this: p < .05
SPARSE_EXPECTED = 5  # expected counts under this …
SPARSE_SHARE = 0.20  # … in more than this share of cells make the test unreliable
MAX_ROWS = 2000
MAX_COLUMNS = 50


_interpolated = lazy(lambda message, params: str(message) % params, str)


def fmt(message, **params):
    """`message % params`, still lazy: rendered in whichever language asks for it."""
    return _interpolated(message, params)


class TableRefused(ValueError):
    """The table cannot be compared; `code` and a bilingual lazy `message` say why."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass
class Cell:
    row: str
    column: str
    observed: int
    expected: float
    adjusted_residual: float
    flag: str | None  # "p01", "p05" or None


@dataclass
class Caution:
    code: str
    message: object  # lazy text; rendered in both languages by `bilingual`

    def bilingual(self) -> dict:
        return {"code": self.code, **{lang: _render(self.message, lang) for lang in ("ja", "en")}}


def _render(message, language: str) -> str:
    with translation.override(language):
        return str(message)


@dataclass
class Comparison:
    columns: list[str]
    rows: list[str]
    observed: list[list[int]]
    row_totals: list[int]
    column_totals: list[int]
    total: int
    chi2: float
    df: int
    p: float
    cramers_v: float
    cells: list[Cell]
    sparse_share: float
    cautions: list[Caution] = field(default_factory=list)

    def cell(self, i: int, j: int) -> Cell:
        return self.cells[i * len(self.columns) + j]

    @property
    def reliable(self) -> bool:
        return self.sparse_share <= SPARSE_SHARE

    def grid(self) -> list[dict]:
        """Rows for a template: label, total and each cell with its row share."""
        out = []
        for i, label in enumerate(self.rows):
            cells = [self.cell(i, j) for j in range(len(self.columns))]
            out.append({
                "label": label, "total": self.row_totals[i],
                "cells": [{"cell": c, "share": c.observed / self.row_totals[i]} for c in cells],
            })
        return out


def check_table(columns: list[str], rows: list[tuple[str, list[int]]]) -> None:
    """Refuse, with a reason, any table the test cannot be computed on (never a division by zero)."""
    if len(columns) < 2:
        raise TableRefused("too_few_columns", _("A comparison needs at least two outcome columns."))
    if len(rows) < 2:
        raise TableRefused("too_few_rows", _("A comparison needs at least two groups (rows)."))
    if len(rows) > MAX_ROWS or len(columns) > MAX_COLUMNS:
        raise TableRefused("too_large", fmt(_("The table is too large: at most %(rows)s rows and %(columns)s columns."),
                               rows=MAX_ROWS, columns=MAX_COLUMNS))
    for label, counts in rows:
        if len(counts) != len(columns):
            raise TableRefused("ragged", fmt(_("Row “%(label)s” has %(n)s counts; the table has %(m)s columns."),
                                                   label=label, n=len(counts), m=len(columns)))
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts):
            raise TableRefused("not_counts", fmt(_("Row “%(label)s”: counts must be whole numbers of 0 or more."),
                                                       label=label))
        if sum(counts) == 0:
            raise TableRefused("zero_row", fmt(_("Row “%(label)s” has no counts at all: leave it out or merge it."),
                                                     label=label))
    for j, name in enumerate(columns):
        if sum(counts[j] for _label, counts in rows) == 0:
            raise TableRefused("zero_column",
                               fmt(_("Column “%(column)s” has no counts at all: leave it out."), column=name))


def compare(columns: list[str], rows: list[tuple[str, list[int]]]) -> Comparison:
    """Pearson's χ² (no continuity correction), df, p, Cramér's V, expected counts and adjusted
    residuals (O − E) / √(E (1 − row share)(1 − column share)), each flagged at p < .01 / .05."""
    check_table(columns, rows)
    observed = [list(counts) for _label, counts in rows]
    chi2, p, df, expected = chi2_contingency(observed, correction=False)
    row_totals = [sum(r) for r in observed]
    column_totals = [sum(r[j] for r in observed) for j in range(len(columns))]
    n = sum(row_totals)
    cells = []
    sparse = 0
    for i, (label, counts) in enumerate(rows):
        for j, name in enumerate(columns):
            e = float(expected[i][j])
            sparse += e < SPARSE_EXPECTED
            r = (counts[j] - e) / math.sqrt(e * (1 - row_totals[i] / n) * (1 - column_totals[j] / n))
            flag = "p01" if abs(r) > P01 else "p05" if abs(r) > P05 else None
            cells.append(Cell(label, name, counts[j], e, r, flag))
    k = min(len(rows), len(columns))
    result = Comparison(
        columns=list(columns), rows=[label for label, _c in rows], observed=observed, row_totals=row_totals,
        column_totals=column_totals, total=n, chi2=float(chi2), df=int(df), p=float(p),
        cramers_v=math.sqrt(float(chi2) / (n * (k - 1))), cells=cells, sparse_share=sparse / len(cells),
    )
    result.cautions = cautions_for(result)
    return result


def cautions_for(result: Comparison) -> list[Caution]:
    """The cautions shown with every result, in plain words (seed 004's own)."""
    out = []
    if not result.reliable:
        out.append(Caution("sparse_expected", fmt(_(
            "%(share)s %% of the cells have an expected count under 5 (more than 20 %%): the test is not "
            "reliable for this table. Merge small groups (or outcomes) and compare again."
        ), share=round(result.sparse_share * 100))))
    cells = len(result.cells)
    out.append(Caution("many_cells", fmt(_(
        "%(n)s cells are compared at once: by chance alone about %(chance)s of them may be flagged at p < .05 "
        "even where nothing differs. Trust the p < .01 flags more, and look for a pattern rather than one cell."
    ), n=cells, chance=max(1, round(cells * 0.05)))))
    out.append(Caution("not_a_cause", _(
        "A difference is not a cause: a group with a higher or lower share is not shown to be more lenient or "
        "stricter. The people and cases behind each group differ."
    )))
    smallest = min(result.row_totals)
    out.append(Caution("small_groups", fmt(_(
        "Small groups swing from year to year: in the smallest group here (%(n)s), one case moves its share by "
        "%(points)s points. Compare several years before drawing a conclusion."
    ), n=smallest, points=round(100 / smallest, 1))))
    return out


def data_limits(text) -> Caution:
    """The data's own limits (what the table counts and what it leaves out)."""
    return Caution("data_limits", text)
