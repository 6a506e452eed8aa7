"""The welfare-fee staffing check (ピアサポート体制加算・ピアサポート実施加算): evaluation in
`check`, writes in `services`, access in `selectors`, the filing pack in `pack`, the first rule
versions in `seed`, the demo offices in `demo`."""

from .check import (
    fiscal_year_of,
    fiscal_year_range,
    month_range,
    parse_month,
    rules_in_force,
    staffing_check,
)
from .services import (
    delivery_count_record,
    in_house_training_record,
    staffing_filing_prepare,
    staffing_publication_record,
)

__all__ = [
    "delivery_count_record", "fiscal_year_of", "fiscal_year_range", "in_house_training_record", "month_range",
    "parse_month", "rules_in_force", "staffing_check", "staffing_filing_prepare", "staffing_publication_record",
]
