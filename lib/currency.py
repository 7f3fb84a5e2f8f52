"""A dataset's currency: the ones known, how each is written, how an export names it, and which one
this script run shows.

A dataset stores a code (`CNY`, `USD`, `HKD`, `GBP`, `EUR`) or none (NULL: amounts are shown without
a symbol). An import finds it (`detect`) from the amounts' own text (`￥1,299.00`, `HK$ 80`,
`£3.75`): the currency most values name; else from the amount column's header (`金额(元)`,
`Amount (GBP)`); else a Chinese header (`实付金额`) means yuan and an English one says nothing. The
user can choose it at import and change it later; numbers never depend on it.

Which currency the formatting functions write when not told: `shown()`, set once per script run
by the app from the session's dataset (`show`). Streamlit runs each session's script in its own
thread, and a context variable starts fresh in each, so one session's currency never reaches
another's; outside the app (tests, the command line) it is yuan, as before datasets had one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # lib.i18n fills in the currency from here
    from lib.i18n import Lang

# code: (symbol, what names it in an amount or a header). The order matters: the first currency
# whose words a value holds is that value's (HK$ before $). The amount parser strips every word
# (lib/parsing.py, built from this table), so whatever names a currency here is also read.
CURRENCIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "HKD": ("HK$", ("HK$", "HKD", "港币", "港元", "港幣")),
    "USD": ("$", ("US$", "USD", "$", "美元")),
    "GBP": ("£", ("£", "GBP", "英镑", "英鎊")),
    "EUR": ("€", ("€", "EUR", "欧元", "歐元")),
    "CNY": ("¥", ("¥", "￥", "RMB", "CNY", "元", "人民币")),
}
NONE = "NONE"  # chosen by the user: amounts without a symbol (a dataset whose currency is unknown is None)
DEFAULT = "CNY"  # outside the app, and the demo's
DETECT_ROWS = 100_000  # the first rows of a file are read for the symbol: one export, one currency
# 元 and $ after these name other currencies (澳元, 日元 …; NT$, CA$ …): those values name none of ours.
_OTHER_YUAN = "澳日加新台韩韓纽紐"
_LETTERS = "A-Za-z"


def _pattern(word: str) -> str:
    """A regular expression (RE2 and Python alike) finding `word` as a currency's name: a code of
    letters not inside a longer word (EUR, not Europe), $ not after letters (NT$), 元 not after
    another currency's name (澳元), anything else as written."""
    if word.isascii() and word.isalpha():
        return f"(?:^|[^{_LETTERS}]){word}(?:[^{_LETTERS}]|$)"
    if word == "$":
        return f"(?:^|[^{_LETTERS}])\\$"
    if word == "元":
        return f"(?:^|[^{_OTHER_YUAN}港美欧歐])元"
    return re.escape(word)


PATTERNS: dict[str, str] = {code: "(?i)" + "|".join(_pattern(w) for w in words)
                            for code, (_, words) in CURRENCIES.items()}


def words() -> list[str]:
    """Every word of every currency, longest first (so HK$ goes before $): what the parser strips."""
    return sorted({w for _, ws in CURRENCIES.values() for w in ws}, key=len, reverse=True)


_shown: ContextVar[str | None] = ContextVar("currency", default=DEFAULT)


def check(code: str | None) -> str | None:
    """A code as stored: one of CURRENCIES, NONE (chosen: no symbol; '' and 'none' say it too), or
    None (not known)."""
    if code is None:
        return None
    code = code.strip().upper() or NONE
    if code != NONE and code not in CURRENCIES:
        raise ValueError(f"unknown currency {code!r} (known: {', '.join(CURRENCIES)}, none)")
    return code


def symbol(code: str | None) -> str:
    """¥ for CNY, HK$ for HKD …; '' for NONE and for a currency not known."""
    return CURRENCIES[code][0] if code in CURRENCIES else ""


def label(code: str | None) -> str:
    """A currency as notes name it: £ GBP; NONE for none."""
    return f"{symbol(code)} {code}" if code in CURRENCIES else NONE


def shown() -> str:
    """The symbol this script run writes amounts with."""
    return symbol(_shown.get())


def show(code: str | None) -> None:
    """From now on in this thread (one script run of one session), write amounts in `code`."""
    _shown.set(code)


@contextmanager
def showing(code: str | None) -> Iterator[None]:
    """Write amounts in `code` inside the block (a report of one dataset, a test)."""
    token = _shown.set(code)
    try:
        yield
    finally:
        _shown.reset(token)


def unit(lang: Lang) -> str:
    """The shown currency as a header's unit: （¥） in Chinese, ' (¥)' in English; '' for none."""
    sign = shown()
    if not sign:
        return ""
    return f"（{sign}）" if lang == "zh" else f" ({sign})"


def in_text(text: str) -> str | None:
    """The currency a piece of text names (a header, a value), or None."""
    for code, pattern in PATTERNS.items():
        if re.search(pattern, text):
            return code
    return None


_CJK = re.compile(r"[\u4e00-\u9fff]")


def detect(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[tuple[str, str]]) -> tuple[str | None, dict[str, int]]:
    """The currency of a staged file's amount columns, given as (positional column of `table`, its
    header): the one most of the first DETECT_ROWS values name, else the one a header names, else
    CNY when a header is Chinese, else None; and how many values named each currency (more than
    one: the file mixes currencies, which are added up as written). `table` and the columns are
    our own names; the patterns travel as bound parameters."""
    if not columns:
        return None, {}
    from lib.parsing import check_own_names  # lib.parsing builds on this module

    check_own_names(table, *(col for col, _ in columns))  # only our staging names go into the SQL text
    cases = " ".join("WHEN regexp_matches(v, ?) THEN ?" for _ in PATTERNS)
    values = " UNION ALL ".join(f"SELECT {col}::VARCHAR AS v FROM {table} WHERE rowid < {DETECT_ROWS}"
                                for col, _ in columns)
    rows = con.sql(f"""
        SELECT CASE {cases} END AS code, count(*) AS n
        FROM ({values}) WHERE v IS NOT NULL GROUP BY code HAVING code IS NOT NULL ORDER BY n DESC, code""",
        params=[p for code, pattern in PATTERNS.items() for p in (pattern, code)]).fetchall()
    if rows:
        return rows[0][0], dict(rows)
    headers = [header for _, header in columns]
    for header in headers:
        found = in_text(header)
        if found:
            return found, {}
    return (DEFAULT if any(_CJK.search(h) for h in headers) else None), {}
