"""Appending to a dataset is idempotent (SPEC "Imports"): how an import's rows meet the rows stored.

Monthly exports overlap and people import the same file twice; neither may count anything twice.

- **orders**: an order (member_id, order_id) already stored is replaced by the import's lines of it
  (the later export is the newer truth: a refund line added, a status changed), or left as it is
  when the import holds the same lines (as a multiset of every field but the load number line_id,
  compared by a 128-bit fingerprint: see `_orders`). A file speaks for the dates it covers, from
  its first line date to its last: only the stored lines of the order dated within them are
  compared and replaced, so a February export filtered by line date, holding only the refund of a
  January order, adds the refund and keeps the sale (a full re-export covers every line and
  replaces the order whole). Within one import, an order found in several files takes each file's
  lines, a later file's replacing an earlier one's within the dates it covers. Only the columns the import's files have are compared: an
  older export without a column (门店) leaves its orders unchanged, and an order it updates keeps
  the stored value of that column when its lines all had one.
  A line without an order id is an order of its own: one identical (every field) to a stored line
  is skipped, and a stored one that a new order's line repeats is that order's (imported first
  without order numbers, then with them: `_absorb_bare_lines`). Duplicates count: a line the
  file has twice and the store once is added once; over
  the import's files, in order, a group of identical lines ends with as many as the store or any
  one file has (two overlapping exports of the same lines give them once).
- **members**: upsert by member_id. A stored member takes the import's non-empty values, field by
  field; an empty cell keeps what was stored (the rule lib/store.py's members rebuild follows for
  rows loaded earlier, so the members table comes out the same as appending would make it).
- **nps** by (member_id, survey_date) and **spend** by (period, channel, an empty channel being
  one key): a key's rows (a month's spend may come per campaign; a member may answer twice on a
  day) are one record, replaced whole by the import's rows of that key, or left alone when they
  are the same; within one import, a key in several files takes the last file's rows.

`merge` counts the records new, updated and unchanged: orders; members; NPS keys (a member's
answers of a day); spend keys (a period and channel's rows).

Every step is SQL over the import's rows (a temporary table of the caller's transaction), so a
failure anywhere rolls the whole import back.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from lib.contract import Kind

# The order id of a line exported without one: an order of its own, named by its load number.
# It ends in a no-break space, which no id read from a file can (lib/parsing.py ml_text trims it
# from both ends), so a real order id "L5" never meets the bare line loaded as line 5.
BARE_ORDER_ID = "'L' || line_id || chr(160)"

# The key of a record in the kinds replaced whole (members merge field by field on member_id).
KEYS: dict[Kind, tuple[str, ...]] = {"nps": ("member_id", "survey_date"), "spend": ("period", "channel")}
# Order-line columns every import has (required, or computed when absent: amount).
_ALWAYS_GIVEN = ("member_id", "order_id", "order_ts", "order_date", "amount")
# Columns that number rows in load order: never part of what a record is.
_LOAD_NUMBERS = ("line_id", "row_id", "file_no")


@dataclass(frozen=True)
class Merged:
    """Records of an import: new (not stored before), updated (stored, now replaced or completed)
    and unchanged (stored exactly so already)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


def merge(cur: duckdb.DuckDBPyConnection, table: str, kind: Kind, incoming: str,
          given: frozenset[str] | None = None) -> Merged:
    """Merge the rows of `incoming` into `table` (the dataset table of `kind`; see the module
    docstring). `incoming` holds the table's columns and `file_no` (the file's place in the
    import); orders keep order_id null where the file had none. Both names are our own, and
    every column name comes from the table itself: no user text reaches this SQL.
    `given`: the orders columns the import's files have (None: all). A column they lack is no
    difference (an older, narrower export of the same orders is unchanged), and an order they
    update keeps the stored value of such a column when its lines had one value for it (the
    order's store, channel …)."""
    if kind == "orders":
        return _orders(cur, table, incoming, given)
    if kind == "members":
        return _members(cur, table, incoming)
    return _keyed(cur, table, incoming, KEYS[kind])


def _fields(cur: duckdb.DuckDBPyConnection, table: str, leave_out: tuple[str, ...] = ()) -> list[str]:
    return [c for c in cur.sql(f"SELECT * FROM {table} LIMIT 0").columns
            if c not in _LOAD_NUMBERS and c not in leave_out]


def _struct(columns: list[str]) -> str:
    return f"struct_pack({', '.join(f'{c} := {c}' for c in columns)})"


def _fingerprint(columns: list[str]) -> str:
    """Aggregates n, h1, h2: a group of rows as a multiset (an order's lines, a key's rows) by their
    count and two sums of 64-bit hashes of each row, over its fields in opposite orders (DuckDB
    combines field hashes in order, so neither is a function of the other; hash(row, salt) was).
    Two groups differing in any row differ unless both sums collide at once. Exact EXCEPT ALL
    over every line of the matched orders took 18 GB re-importing 10M lines; these are one group by."""
    return (f"count(*) AS n, sum(hash({_struct(columns)})) AS h1, "
            f"sum(hash({_struct(columns[::-1])})) AS h2")


def _counts(cur: duckdb.DuckDBPyConnection, sql: str) -> Merged:
    new, updated, unchanged = cur.sql(sql).fetchall()[0]
    return Merged(int(new or 0), int(updated or 0), int(unchanged or 0))


def _orders(cur: duckdb.DuckDBPyConnection, table: str, incoming: str, given: frozenset[str] | None) -> Merged:
    fields = _fields(cur, table, ("member_id", "order_id"))
    compared = [f for f in fields if given is None or f in given or f in _ALWAYS_GIVEN]
    missing = [f for f in fields if f not in compared]
    bare = _struct(["member_id", *compared])  # a line without its order id
    # What each file speaks for: its orders' lines dated within its first and last line date.
    cur.execute(f"""
        CREATE TEMP TABLE merge_covers AS
        WITH spans AS (SELECT file_no, min(order_date) AS lo, max(order_date) AS hi FROM {incoming} GROUP BY file_no)
        SELECT DISTINCT i.member_id, i.order_id, i.file_no, s.lo, s.hi
        FROM {incoming} i JOIN spans s USING (file_no) WHERE i.order_id IS NOT NULL""")
    keyed = f"SELECT * EXCLUDE (file_no) FROM {incoming} WHERE order_id IS NOT NULL"
    if cur.sql(f"SELECT max(file_no) > 0 FROM {incoming}").fetchall()[0][0]:
        # several files: a line gives way to a later file holding its order and covering its date
        cur.execute(f"""
            CREATE TEMP TABLE merge_keyed AS
            SELECT l.* EXCLUDE (file_no) FROM {incoming} l
            ANTI JOIN merge_covers later
                ON later.member_id = l.member_id AND later.order_id = l.order_id AND later.file_no > l.file_no
               AND l.order_date BETWEEN later.lo AND later.hi
            WHERE l.order_id IS NOT NULL""")
        keyed = "SELECT * FROM merge_keyed"
    fingerprint = _fingerprint(compared)
    # An order stored already is compared, and replaced, only in its lines the import covers.
    cur.execute(f"""
        CREATE TEMP TABLE merge_orders AS
        WITH import AS (SELECT member_id, order_id, {fingerprint} FROM ({keyed}) GROUP BY member_id, order_id),
        stored_orders AS (
            SELECT DISTINCT s.member_id, s.order_id FROM {table} s
            SEMI JOIN import k ON s.member_id = k.member_id AND s.order_id = k.order_id),
        stored AS (
            SELECT member_id, order_id, {fingerprint}
            FROM (SELECT s.* FROM {table} s SEMI JOIN merge_covers c
                  ON s.member_id = c.member_id AND s.order_id = c.order_id AND s.order_date BETWEEN c.lo AND c.hi)
            GROUP BY member_id, order_id)
        SELECT i.member_id, i.order_id,
               CASE WHEN o.member_id IS NULL THEN 'new'
                    WHEN i.n = s.n AND i.h1 = s.h1 AND i.h2 = s.h2 THEN 'unchanged' ELSE 'updated' END AS status
        FROM import i
        LEFT JOIN stored_orders o ON o.member_id = i.member_id AND o.order_id = i.order_id
        LEFT JOIN stored s ON s.member_id = i.member_id AND s.order_id = i.order_id""")
    cur.execute(f"""
        CREATE TEMP TABLE merge_bare AS
        WITH bare AS (SELECT *, {bare} AS line_key FROM {incoming} WHERE order_id IS NULL),
        numbered AS (
            SELECT *, row_number() OVER (PARTITION BY file_no, line_key ORDER BY line_id) AS k,
                   count(*) OVER (PARTITION BY file_no, line_key) AS in_file
            FROM bare),
        earlier AS (  -- per file, the most any earlier file of the import had of the same line
            SELECT line_key, file_no, max(in_file) OVER (PARTITION BY line_key ORDER BY file_no
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS most
            FROM (SELECT DISTINCT line_key, file_no, in_file FROM numbered)),
        stored AS (
            SELECT {bare} AS line_key, count(*) AS n FROM {table}
            WHERE member_id IN (SELECT member_id FROM bare) GROUP BY ALL)
        SELECT n.* EXCLUDE (line_key, k, in_file, file_no),
               n.k > greatest(coalesce(e.most, 0), coalesce(s.n, 0)) AS kept
        FROM numbered n
        JOIN earlier e ON e.line_key IS NOT DISTINCT FROM n.line_key AND e.file_no = n.file_no
        LEFT JOIN stored s ON s.line_key IS NOT DISTINCT FROM n.line_key""")
    _absorb_bare_lines(cur, table, keyed, compared)
    kept_values = "SELECT i.*"
    if missing:  # what the files lack, an updated order keeps: the value its stored lines agreed on
        agreed = ", ".join(f"CASE WHEN count(DISTINCT s.{f}) = 1 AND count(s.{f}) = count(*) THEN any_value(s.{f}) END "
                           f"AS {f}" for f in missing)
        cur.execute(f"""
            CREATE TEMP TABLE merge_kept AS
            SELECT s.member_id, s.order_id, {agreed} FROM {table} s
            SEMI JOIN (SELECT * FROM merge_orders WHERE status = 'updated') m
                ON s.member_id = m.member_id AND s.order_id = m.order_id
            GROUP BY s.member_id, s.order_id""")
        replaced = ", ".join(f"coalesce(i.{f}, k.{f}) AS {f}" for f in missing)
        kept_values = (f"SELECT i.* REPLACE ({replaced})")
    cur.execute(f"""
        DELETE FROM {table} USING merge_orders m, merge_covers c
        WHERE m.status = 'updated' AND {table}.member_id = m.member_id AND {table}.order_id = m.order_id
          AND c.member_id = m.member_id AND c.order_id = m.order_id AND {table}.order_date BETWEEN c.lo AND c.hi""")
    kept_join = ("LEFT JOIN merge_kept k ON k.member_id = i.member_id AND k.order_id = i.order_id"
                 if missing else "")
    cur.execute(f"""
        INSERT INTO {table} BY NAME
        {kept_values} FROM ({keyed}) i {kept_join}
        ANTI JOIN (SELECT * FROM merge_orders WHERE status = 'unchanged') u
            ON i.member_id = u.member_id AND i.order_id = u.order_id
        UNION ALL BY NAME
        SELECT * EXCLUDE (kept, order_id), {BARE_ORDER_ID} AS order_id FROM merge_bare WHERE kept""")
    merged = _counts(cur, """
        -- count(*) FILTER, not count_if: over no rows count_if is NULL
        SELECT o.new + b.kept, o.updated, o.unchanged + b.skipped
        FROM (SELECT count(*) FILTER (WHERE status = 'new') AS new, count(*) FILTER (WHERE status = 'updated') AS updated,
                     count(*) FILTER (WHERE status = 'unchanged') AS unchanged FROM merge_orders) o,
             (SELECT count(*) FILTER (WHERE kept) AS kept, count(*) FILTER (WHERE NOT kept) AS skipped FROM merge_bare) b""")
    for temp in ("merge_covers", "merge_keyed", "merge_orders", "merge_bare", "merge_kept"):
        cur.execute(f"DROP TABLE IF EXISTS {temp}")
    return merged


def _absorb_bare_lines(cur: duckdb.DuckDBPyConnection, table: str, keyed: str, compared: list[str]) -> None:
    """A new keyed order whose lines were stored before without an order id (an export without
    order numbers, imported first) is the same purchase: those stored lines go, matched one for one
    on the member and every compared field, and the order counts as updated, not new. Without this
    the same lines imported without, then with, order ids counted twice (the other way round they
    did not: a bare line equal to a stored line is skipped)."""
    line = _struct(compared)
    cur.execute(f"""
        CREATE TEMP TABLE merge_absorbed AS
        WITH incoming AS (
            SELECT i.member_id, i.order_id, {line} AS line_key,
                   row_number() OVER (PARTITION BY i.member_id, {line} ORDER BY i.order_id, i.line_id) AS k
            FROM ({keyed}) i
            SEMI JOIN (SELECT * FROM merge_orders WHERE status = 'new') m
                ON i.member_id = m.member_id AND i.order_id = m.order_id),
        stored AS (
            SELECT s.line_id, s.member_id, {line} AS line_key,
                   row_number() OVER (PARTITION BY s.member_id, {line} ORDER BY s.line_id) AS k
            FROM {table} s
            WHERE s.order_id = {BARE_ORDER_ID.replace("line_id", "s.line_id")}
              AND s.member_id IN (SELECT member_id FROM incoming))
        SELECT s.line_id, i.member_id, i.order_id
        FROM stored s JOIN incoming i
          ON s.member_id = i.member_id AND s.line_key IS NOT DISTINCT FROM i.line_key AND s.k = i.k""")
    cur.execute(f"DELETE FROM {table} WHERE line_id IN (SELECT line_id FROM merge_absorbed)")
    cur.execute("""
        UPDATE merge_orders SET status = 'updated'
        FROM (SELECT DISTINCT member_id, order_id FROM merge_absorbed) a
        WHERE merge_orders.member_id = a.member_id AND merge_orders.order_id = a.order_id""")
    cur.execute("DROP TABLE merge_absorbed")


def _members(cur: duckdb.DuckDBPyConnection, table: str, incoming: str) -> Merged:
    fields = _fields(cur, table, ("member_id",))
    # each member's latest non-empty value per field (arg_max skips nulls), in the import and in the store
    latest = ", ".join(f"arg_max({f}, row_id) AS {f}" for f in fields)
    merged = ", ".join(f"coalesce(i.{f}, s.{f}) AS {f}" for f in fields)
    same = " AND ".join(f"coalesce(i.{f}, s.{f}) IS NOT DISTINCT FROM s.{f}" for f in fields)
    cur.execute(f"""
        CREATE TEMP TABLE merge_members AS
        WITH import AS (SELECT member_id, max(row_id) AS row_id, {latest} FROM {incoming} GROUP BY member_id),
        stored AS (
            SELECT member_id, {latest} FROM {table} WHERE member_id IN (SELECT member_id FROM import)
            GROUP BY member_id)
        SELECT i.member_id, i.row_id, {merged},
               CASE WHEN s.member_id IS NULL THEN 'new' WHEN {same} THEN 'unchanged' ELSE 'updated' END AS status
        FROM import i LEFT JOIN stored s ON s.member_id = i.member_id""")
    return _replace_changed(cur, table, "merge_members", ("member_id",))


def _keyed(cur: duckdb.DuckDBPyConnection, table: str, incoming: str, keys: tuple[str, ...]) -> Merged:
    """A key's rows are one record, replaced whole like an order's lines: a month's spend may come
    as several rows (per campaign or store) and a member may answer twice on a day; all are kept."""
    fields = _fields(cur, table)
    listed = ", ".join(keys)
    on = " AND ".join(f"s.{k} IS NOT DISTINCT FROM i.{k}" for k in keys)
    fingerprint = _fingerprint(fields)
    cur.execute(f"""
        CREATE TEMP TABLE merge_rows AS
        SELECT {', '.join(fields)} FROM {incoming}
        QUALIFY file_no = max(file_no) OVER (PARTITION BY {listed})  -- a key in several files: the last one's""")
    cur.execute(f"""
        CREATE TEMP TABLE merge_keys AS
        WITH import AS (SELECT {listed}, {fingerprint} FROM merge_rows GROUP BY ALL),
        stored AS (SELECT {listed}, {fingerprint} FROM {table} GROUP BY ALL)
        SELECT i.*, CASE WHEN s.n IS NULL THEN 'new'
                         WHEN i.n = s.n AND i.h1 = s.h1 AND i.h2 = s.h2 THEN 'unchanged' ELSE 'updated' END AS status
        FROM import i LEFT JOIN stored s ON {on}""")
    key_match = " AND ".join(f"{table}.{k} IS NOT DISTINCT FROM m.{k}" for k in keys)
    cur.execute(f"DELETE FROM {table} USING merge_keys m WHERE m.status = 'updated' AND {key_match}")
    row_match = " AND ".join(f"r.{k} IS NOT DISTINCT FROM m.{k}" for k in keys)
    cur.execute(f"""INSERT INTO {table} BY NAME SELECT r.* FROM merge_rows r
                    SEMI JOIN (SELECT * FROM merge_keys WHERE status <> 'unchanged') m ON {row_match}""")
    counts = _counts(cur, "SELECT count(*) FILTER (WHERE status = 'new'), count(*) FILTER (WHERE status = 'updated'), "
                          "count(*) FILTER (WHERE status = 'unchanged') FROM merge_keys")
    cur.execute("DROP TABLE merge_rows")
    cur.execute("DROP TABLE merge_keys")
    return counts


def _replace_changed(cur: duckdb.DuckDBPyConnection, table: str, merged: str, keys: tuple[str, ...]) -> Merged:
    """Delete the stored rows of the `merged` records not unchanged and insert those records (all
    but `status`); count them; drop `merged`."""
    on = " AND ".join(f"{table}.{k} IS NOT DISTINCT FROM m.{k}" for k in keys)
    cur.execute(f"DELETE FROM {table} USING {merged} m WHERE m.status = 'updated' AND {on}")
    cur.execute(f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (status) FROM {merged} WHERE status <> 'unchanged'")
    counts = _counts(cur, f"SELECT count(*) FILTER (WHERE status = 'new'), count(*) FILTER (WHERE status = 'updated'), "
                          f"count(*) FILTER (WHERE status = 'unchanged') FROM {merged}")
    cur.execute(f"DROP TABLE {merged}")
    return counts
