"""Member 360 (会员画像): find a member, then their attributes, orders and order lines.

Definitions
- `search(text)`: the dataset's members (every known member: buyers and prospects, as in the
  `members` table) whose member_id contains `text`, ignoring case; ids that *start* with it come
  first, then by member_id; at most `limit` rows. The text is a bound parameter matched literally
  (`%` and `_` are ordinary characters). Empty text lists every member by member_id. The search
  ignores the sidebar filters (it finds the member; the analyses then say whether they are in
  scope). Columns: member_id, purchases, last_purchase (date) and net_amount (all orders, refunds
  included), over all history.
- `profile(member)`: the member's attributes, not filtered (they describe the member, whatever
  the scope): member_tier, gender, birth_year, age = year(as_of) − birth_year, age_band (the
  filters' AGE_BANDS, as the age-band filter uses them), signup_date, signup_channel (members
  file), region and city — from the members file, else from the member's latest order that has
  them (a flat export carries them on its orders) — and in_members_file. as_of = the filters'
  as_of, else data end. None when the dataset has no such member.
- `orders(member, filters)`: the member's orders in scope, all history up to as_of (start / end
  never hide history; the chart may shade them). Order filters keep whole orders; line filters
  keep the matching lines, so an order's amount is its matching lines' net and an order with no
  matching line is absent; member filters keep the member or nobody. Columns: order_id,
  order_ts, order_date, amount (net in scope), kind ('purchase' when amount > 0, else 'refund'),
  nth (1 = the member's first purchase in scope; null for refunds), lines, quantity, items (up to
  ITEMS_SHOWN item names, largest line amount first, each with "×quantity" when that is not 1,
  then "+N" for the rest; an item's name is its product_name, else sku, else category), channel,
  store. Sorted by order_ts, order_id.
- `lines(member, filters)`: the member's order lines in scope (same scope as `orders`): order_id,
  order_ts, sku, product_name, category, quantity, unit_price, discount, amount, channel, store;
  sorted by order time, order id, amount (largest first), product.
- `row(frame, member)`: the member's row of a per-member analysis (rfm.run, lifecycle.run,
  clv.run) as a dict; None when the member is not in it.
- `stage_reasons(row, spec)`: which rule of lifecycle stage gave the member's stage, with the
  numbers behind it (see the function).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from lib.filters import Filters, age_band_sql, base
from lib.lifecycle import LifecycleSpec
from lib.store import Dataset, Store

DEFAULT_SEARCH_LIMIT = 50
ITEMS_SHOWN = 5  # item names listed per order on the timeline's hover; the rest are "+N"
ITEM_SEPARATOR = " · "

ORDER_COLUMNS = ("order_id", "order_ts", "order_date", "amount", "kind", "nth", "lines", "quantity", "items",
                 "channel", "store")
LINE_COLUMNS = ("order_id", "order_ts", "sku", "product_name", "category", "quantity", "unit_price", "discount",
                "amount", "channel", "store")


def search(store: Store, ds: Dataset, text: str, limit: int = DEFAULT_SEARCH_LIMIT) -> pl.DataFrame:
    """Members whose id contains `text` (prefix matches first); see the module docstring."""
    needle = (text or "").strip().lower()
    return store.query(f"""
        WITH found AS (
            SELECT member_id, starts_with(lower(member_id), $needle) AS prefix
            FROM {ds.table('members')}
            WHERE contains(lower(member_id), $needle)
            ORDER BY prefix DESC, member_id
            LIMIT $limit)
        SELECT f.member_id,
               count(o.order_id) FILTER (WHERE o.is_purchase) AS purchases,
               max(o.order_date) FILTER (WHERE o.is_purchase) AS last_purchase,
               coalesce(sum(o.net_amount), 0)::DOUBLE AS net_amount
        FROM found f LEFT JOIN {ds.table('orders')} o USING (member_id)
        GROUP BY f.member_id, f.prefix
        ORDER BY f.prefix DESC, f.member_id""", {"needle": needle, "limit": max(int(limit), 0)})


def profile(store: Store, ds: Dataset, member_id: str, filters: Filters = Filters()) -> dict[str, Any] | None:
    """The member's attributes (module docstring), or None when there is no such member."""
    found = store.query(f"""
        WITH limits AS (SELECT coalesce($as_of::DATE, max(order_date)) AS as_of FROM {ds.table('orders')}),
        placed AS (
            SELECT arg_max(region, order_ts) FILTER (WHERE region IS NOT NULL) AS region,
                   arg_max(city, order_ts) FILTER (WHERE city IS NOT NULL) AS city
            FROM {ds.table('orders')}
            WHERE member_id = $member AND order_date <= (SELECT as_of FROM limits))
        SELECT m.member_id, m.member_tier, m.gender, m.birth_year,
               year((SELECT as_of FROM limits)) - m.birth_year AS age,
               {age_band_sql('m.birth_year', '(SELECT as_of FROM limits)')} AS age_band,
               m.signup_date, m.channel AS signup_channel,
               coalesce(m.region, p.region) AS region, coalesce(m.city, p.city) AS city,
               m.in_members_file, (SELECT as_of FROM limits) AS as_of
        FROM {ds.table('members')} m CROSS JOIN placed p
        WHERE m.member_id = $member""", {"member": member_id, "as_of": filters.as_of})
    return found.row(0, named=True) if found.height else None


def _item_sql(alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return f"coalesce({a}product_name, {a}sku, {a}category)"


def orders(store: Store, ds: Dataset, member_id: str, filters: Filters = Filters()) -> pl.DataFrame:
    """The member's orders in scope, one row each (ORDER_COLUMNS; module docstring)."""
    b = base(ds, filters)
    quantity = ("CASE WHEN quantity IS NULL OR quantity = 1 THEN '' "
                "WHEN quantity = round(quantity) THEN ' ×' || quantity::BIGINT::VARCHAR "
                "ELSE ' ×' || quantity::VARCHAR END")
    sql = b.query(f"""
        m_labels AS (
            SELECT order_id, amount, quantity,
                   {_item_sql()} || {quantity} AS label
            FROM scoped_lines WHERE member_id = $m360_member),
        m_lines AS (  -- each labelled line's place in its order, the dearest first
            SELECT *, CASE WHEN label IS NOT NULL THEN row_number() OVER (
                          PARTITION BY order_id, label IS NULL ORDER BY amount DESC, label) END AS place
            FROM m_labels),
        m_items AS (  -- the first ITEMS_SHOWN labels in place order (concat_ws skips the missing)
            SELECT order_id, count(*) AS lines, sum(quantity) AS quantity, count(label) AS labelled,
                   concat_ws('{ITEM_SEPARATOR}', {", ".join(f"max(CASE WHEN place = {k} THEN label END)"
                                                            for k in range(1, ITEMS_SHOWN + 1))}) AS shown
            FROM m_lines GROUP BY order_id)
        SELECT o.order_id, o.order_ts, o.order_date, o.net_amount::DOUBLE AS amount,
               CASE WHEN o.net_amount > 0 THEN 'purchase' ELSE 'refund' END AS kind,
               p.nth, i.lines, i.quantity,
               nullif(i.shown || CASE WHEN i.labelled > {ITEMS_SHOWN}
                                      THEN '{ITEM_SEPARATOR}+' || (i.labelled - {ITEMS_SHOWN})::VARCHAR ELSE '' END,
                      '') AS items,
               o.channel, o.store
        FROM scoped_orders o
        LEFT JOIN m_items i USING (order_id)
        LEFT JOIN purchases p ON p.member_id = o.member_id AND p.order_id = o.order_id
        WHERE o.member_id = $m360_member
        ORDER BY o.order_ts, o.order_id""")
    return store.query(sql, {**b.params, "m360_member": member_id})


def lines(store: Store, ds: Dataset, member_id: str, filters: Filters = Filters()) -> pl.DataFrame:
    """The member's order lines in scope (LINE_COLUMNS; module docstring)."""
    b = base(ds, filters)
    sql = b.query(f"""
        SELECT l.order_id, l.order_ts, l.sku, l.product_name, l.category, l.quantity,
               l.unit_price::DOUBLE AS unit_price, l.discount::DOUBLE AS discount, l.amount::DOUBLE AS amount,
               o.channel, o.store
        FROM scoped_lines l
        JOIN {ds.table('orders')} o ON o.member_id = l.member_id AND o.order_id = l.order_id
        WHERE l.member_id = $m360_member
        ORDER BY l.order_ts, l.order_id, l.amount DESC, {_item_sql('l')} NULLS LAST""")
    return store.query(sql, {**b.params, "m360_member": member_id})


def row(frame: pl.DataFrame, member_id: str) -> dict[str, Any] | None:
    """The member's row of a per-member frame (rfm.run, lifecycle.run, clv.run …), or None."""
    found = frame.filter(pl.col("member_id") == member_id)
    return found.row(0, named=True) if found.height else None


def stage_reasons(stage_row: dict[str, Any], spec: LifecycleSpec = LifecycleSpec()) -> list[tuple[str, dict[str, Any]]]:
    """Why lifecycle.run gave this stage: (reason, numbers) pairs, the rule that decided first.

    reason is one of: prospect; churned (recency_days > churn_days); exploration (one purchase);
    decline_gap (recency_days > gap_multiple × median_gap_days; `limit_days` = that product) and/or
    decline_spend (recent_spend ≤ spend_ratio × prior_spend, prior_spend > 0; both are listed
    when both hold); growth / stable (≥ 2 purchases; days_since_first = as_of − first purchase
    ≤ growth_days, or more). Every pair carries the row's numbers and the thresholds used:
    recency_days, purchases, median_gap_days, recent_spend, prior_spend, days_since_first,
    churn_days, gap_multiple, limit_days, spend_ratio, window_days, growth_days.
    """
    purchases = stage_row.get("purchases") or 0
    recency = stage_row.get("recency_days")
    gap = stage_row.get("median_gap_days")
    first, last = stage_row.get("first_purchase"), stage_row.get("last_purchase")
    since_first = (recency + (last - first).days
                   if isinstance(first, date) and isinstance(last, date) and recency is not None else None)
    numbers = {
        "recency_days": recency, "purchases": purchases, "median_gap_days": gap,
        "recent_spend": stage_row.get("recent_spend"), "prior_spend": stage_row.get("prior_spend"),
        "days_since_first": since_first, "churn_days": spec.churn_days, "gap_multiple": spec.gap_multiple,
        "limit_days": spec.gap_multiple * gap if gap is not None else None,
        "spend_ratio": spec.spend_ratio, "window_days": spec.spend_window_days, "growth_days": spec.growth_days,
    }
    stage = stage_row.get("stage")
    if stage in ("prospect", "churned", "exploration", "growth", "stable"):
        return [(stage, numbers)]
    if stage != "decline":
        return []
    reasons = []
    if gap is not None and recency is not None and recency > spec.gap_multiple * gap:
        reasons.append(("decline_gap", numbers))
    prior, recent = numbers["prior_spend"] or 0, numbers["recent_spend"] or 0
    if prior > 0 and recent <= spec.spend_ratio * prior:
        reasons.append(("decline_spend", numbers))
    return reasons
