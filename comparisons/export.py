"""CSV and Excel of a comparison: the table as the viewer may see it ("<5", "x"), the test and
its cells, and the cautions. Written by peers.spreadsheets, as every export."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Group
from .selectors import RecordTable, ShownTable, TableComparison


def comparison_rows(table: RecordTable, view: ShownTable, comparison: TableComparison) -> tuple[list, list[list]]:
    group = str(Group(table.group).label)
    header = [group, *view.column_labels, _("Total")]
    rows: list[list] = [[r["label"], *r["counts"], r["total"]] for r in view.rows]
    rows.append([_("Total"), *view.column_totals, view.total])
    rows.append([])
    rows.append([_("Source"), str(table.source_text)])
    rows.append([_("Period"), table.period_text])
    rows.append([_("Brought up to date"), table.updated_at.isoformat() if table.updated_at else ""])
    if view.hidden:
        rows.append([_("Note"), _("<5: a count from 1 to 4. x: a figure hidden so that a small count cannot be "
                                  "worked out (a total, or a count over several years holding one year's count under 5).")])
    rows.append([])
    result = comparison.result
    if result is None:
        rows.append([_("Not compared"), str(comparison.refused.message)])
    else:
        rows.append(["χ²", round(result.chi2, 4)])
        rows.append([_("Degrees of freedom"), result.df])
        rows.append(["p", f"{result.p:.4g}"])
        rows.append([_("Cramér's V"), round(result.cramers_v, 4)])
        rows.append([])
        rows.append([group, _("Outcome"), _("Observed"), _("Expected"), _("Adjusted residual"), _("Flag")])
        for c in result.cells:
            rows.append([c.row, c.column, c.observed, round(c.expected, 2), round(c.adjusted_residual, 3),
                         {"p01": "p < .01", "p05": "p < .05"}.get(c.flag, "")])
    rows.append([])
    for caution in comparison.cautions:
        rows.append([_("Caution"), str(caution.message)])
    return header, rows
