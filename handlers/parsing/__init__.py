"""Pure text understanding for typed messages: amounts, dates, Chinese numerals; no I/O."""
from core.money import format_wan
from handlers.parsing.amounts import Amount, AmountError, find_amount, parse_amount
from handlers.parsing.dates import DateError, find_date, parse_date, parse_date_range
from handlers.parsing.numerals import parse_chinese_number
from handlers.parsing.text import normalize_input

__all__ = [
    "Amount",
    "AmountError",
    "DateError",
    "find_amount",
    "find_date",
    "format_wan",
    "normalize_input",
    "parse_amount",
    "parse_chinese_number",
    "parse_date",
    "parse_date_range",
]
