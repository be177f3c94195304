"""The one parser for numbers written as text, shared by every raw model and every transform.

A number is a plain decimal: ``123``, ``-4.5``, ``.5`` (surrounding spaces ignored). Nothing else is
read as a number, and each other form is refused with its own reason: a decimal comma
(``71469488662,5``), thousands separators (accepted, in the exact ``1,234,567.89`` grouping, only
where a source's model declares that its publisher writes them), NaN, infinities, exponents
(``1e23``; accepted only where a source's model declares them, within its range), an empty cell where a number is required, a negative value where the field cannot be
negative, and a value beyond the range of the warehouse column it loads into. A refused value is
never turned into a different number: :func:`parse_number` gives null for it, and the raw model's
check sends its row to quarantine first.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

PLAIN = r"^-?(\d+(\.\d+)?|\.\d+)$"
GROUPED = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
"""Thousands separators in their one correct form: 1-3 digits, then groups of exactly three."""
_NAN = r"(?i)^[+-]?nan$"
_INF = r"(?i)^[+-]?inf(inity)?$"
_EXPONENT = r"(?i)^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$"
_DECIMAL_COMMA = r"^-?(\d+|\d{1,3}(\.\d{3})+),\d+$"
USD_LIMIT = 10.0**18
"""Values in USD load into DECIMAL(20, 2): at most 18 digits before the point."""
QUANTITY_LIMIT = 1e20
"""Quantities load into DOUBLE, and their yearly sums into DECIMAL(38, 9) (exact, so they are the same
whatever order a warehouse added them in: ``warehouse.yearly_sums``): a quantity is below 1e20, far
above any real one (a year of the world's crude oil is about 2e12 kg), so a year's sum always fits."""

_FORMATS: dict[str, NumberFormat] = {}


@dataclass(frozen=True)
class NumberFormat:
    """How one source writes one kind of number, and the range its warehouse column holds.

    ``limit`` is in the unit of the text (a value in millions of USD has limit ``USD_LIMIT / 1e6``).
    """

    limit: float = USD_LIMIT
    grouping: bool = False
    exponent: bool = False
    non_negative: bool = True
    required: bool = False

    @property
    def check_name(self) -> str:
        """The pandera check's name; it also finds the format again to explain a failure."""
        parts = ["number", "1,234,567.89 grouping" if self.grouping else "plain decimal"]
        parts += ["exponents"] if self.exponent else []
        parts += [">= 0"] if self.non_negative else []
        parts += [f"|x| < {self.limit:g}", "required" if self.required else "blank allowed"]
        name = "; ".join(parts)
        _FORMATS.setdefault(name, self)
        return name

    def check(self, data: pa.PolarsData) -> pl.LazyFrame:
        """Body of a pandera custom check: true where the text is a number of this format."""
        return data.lazyframe.select(is_number(data.key, self))

    def model_check(self, *columns: str, regex: bool = False) -> classmethod:
        """A raw model's pandera check, assigned in its class body, that ``columns`` hold numbers of
        this format (``regex``: the columns are name patterns)."""

        def numbers(cls, data: pa.PolarsData) -> pl.LazyFrame:
            return self.check(data)

        return pa.check(*columns, regex=regex, name=self.check_name)(numbers)


PLAIN_USD = NumberFormat()
PLAIN_QUANTITY = NumberFormat(limit=QUANTITY_LIMIT)


def format_of_check(check_name: str) -> NumberFormat | None:
    """The format whose :attr:`NumberFormat.check_name` is ``check_name`` (None for other checks)."""
    return _FORMATS.get(check_name)


def _text(column: str | pl.Expr) -> pl.Expr:
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.cast(pl.String).str.strip_chars()


def parse_number(column: str | pl.Expr, fmt: NumberFormat = PLAIN_USD) -> pl.Expr:
    """The text as Float64; null where it is blank or not a number of ``fmt`` (never another number)."""
    text = _text(column)
    cleaned = pl.when(text.str.contains(PLAIN)).then(text)
    if fmt.grouping:  # a branch a format does not allow is left out, not evaluated and discarded
        cleaned = cleaned.when(text.str.contains(GROUPED)).then(text.str.replace_all(",", "", literal=True))
    if fmt.exponent:
        cleaned = cleaned.when(text.str.contains(_EXPONENT) & ~text.str.starts_with("+")).then(text)
    return cleaned.cast(pl.Float64, strict=False)


def is_number(column: str | pl.Expr, fmt: NumberFormat = PLAIN_USD) -> pl.Expr:
    """True where the text is a number of ``fmt`` (or blank and allowed): exactly where
    :func:`number_problem` is null, from :func:`parse_number` alone (a value it reads is one no
    earlier reason of ``number_problem`` can refuse), so a check costs one parse, not every reason's
    pattern; the reasons are worked out only for the rows that fail."""
    text = _text(column)
    value = parse_number(column, fmt)
    ok = value.is_not_null() & (value.abs() < fmt.limit)
    if fmt.non_negative:
        ok = ok & (value >= 0)
    blank = text.is_null() | (text == "")
    return pl.when(blank).then(pl.lit(not fmt.required)).otherwise(ok.fill_null(False))


def number_problem(column: str | pl.Expr, fmt: NumberFormat = PLAIN_USD) -> pl.Expr:
    """Why the text is not a number of ``fmt`` (String), null when it is one (or blank and allowed)."""
    text = _text(column)
    value = parse_number(column, fmt)
    blank = text.is_null() | (text == "")
    commas = "only the form 1,234,567.89 is read" if fmt.grouping else "this source writes none"
    return (
        pl.when(blank)
        .then(pl.lit("empty where a number is required") if fmt.required else pl.lit(None, pl.String))
        .when(text.str.contains(_NAN))
        .then(pl.lit("NaN is not a number"))
        .when(text.str.contains(_INF))
        .then(pl.lit("an infinite value is not a number"))
        .when(text.str.contains(_EXPONENT) & ~pl.lit(fmt.exponent))
        .then(pl.lit("exponent notation is not read (write the number in plain decimals)"))
        .when(text.str.contains(GROUPED) & ~pl.lit(fmt.grouping))
        .then(pl.lit("a comma: this source writes neither thousands separators nor a decimal comma, "
                     "the value is not reinterpreted"))
        .when(text.str.contains(_DECIMAL_COMMA) & ~(pl.lit(fmt.grouping) & text.str.contains(GROUPED)))
        .then(pl.lit("decimal comma: the decimal separator is a point here, the value is not reinterpreted"))
        .when(text.str.contains(",", literal=True) & ~(pl.lit(fmt.grouping) & text.str.contains(GROUPED)))
        .then(pl.lit(f"misplaced thousands separator ({commas})"))
        .when(value.is_null())
        .then(pl.lit("not a plain decimal number"))
        .when(pl.lit(fmt.non_negative) & (value < 0))
        .then(pl.lit("negative, where only values >= 0 are valid"))
        .when(value.abs() >= fmt.limit)
        .then(pl.lit(f"beyond the range of the warehouse column (|value| < {fmt.limit:g})"))
        .otherwise(pl.lit(None, pl.String))
    )
