"""Two engines' reports compared (tests/test_spark.py, benchmarks/spark.py)."""

from __future__ import annotations

import polars as pl


def assert_same_report(duck: pl.DataFrame, spark: pl.DataFrame, what: str) -> None:
    """Row for row (the reports are ordered): counts and dates exact, money (decimals) to the cent,
    floating-point rates and scores within 1e-9 (relative above 1), text equal."""
    assert duck.columns == spark.columns, what
    assert duck.height == spark.height, what
    for name in duck.columns:
        a, b = duck[name], spark[name]
        assert (a.is_null() == b.is_null()).all(), f"{what}: nulls of {name}"
        if a.dtype.is_integer() or a.dtype == pl.Boolean:
            assert a.to_list() == b.to_list(), f"{what}: {name}"
        elif isinstance(a.dtype, pl.Decimal):
            assert a.cast(pl.String).to_list() == b.cast(pl.Decimal(38, a.dtype.scale)).cast(pl.String).to_list(), \
                f"{what}: {name}"
        elif a.dtype.is_float():
            x, y = a.cast(pl.Float64), b.cast(pl.Float64)
            tolerance = 1e-9 * x.abs().clip(lower_bound=1.0)
            off = ((x - y).abs() > tolerance).fill_null(False)
            assert not off.any(), f"{what}: {name} differs at rows {off.arg_true().to_list()[:5]}"
        else:
            assert a.cast(pl.String).to_list() == b.cast(pl.String).to_list(), f"{what}: {name}"


