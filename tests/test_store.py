"""The workspace file: datasets round trip, real deletes, atomic imports, schema version, locking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from lib.ingest import IngestError, ingest
from lib.store import SCHEMA_VERSION, Store, StoreError

ORDERS = "会员ID,订单号,支付时间,实付金额\nM1,A1,2024-01-05,100\nM1,A1,2024-01-05,-30\nM2,A2,2024-01-06,50\n"


def test_round_trip_survives_reopening(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path) as store:
        ingest(store, [write("o.csv", ORDERS)], "门店 2024")
        store.create_dataset("empty")
    with Store(path, read_only=True) as store:
        assert [d.name for d in store.datasets()] == ["empty", "门店 2024"]
        ds = store.dataset("门店 2024")
        # A1 = 100 − 30 = 70 over two lines; A2 = 50.
        assert store.query(f"SELECT member_id, order_id, net_amount, lines, is_purchase "
                           f"FROM {ds.table('orders')} ORDER BY 1").rows() == [
            ("M1", "A1", Decimal("70.00"), 2, True), ("M2", "A2", Decimal("50.00"), 1, True)]
        assert store.table_counts(ds) == {"order_lines": 3, "members_source": 0, "nps": 0, "spend": 0,
                                          "orders": 2, "members": 2}


def test_rename_and_name_rules(store):
    store.create_dataset("a")
    store.create_dataset("b")
    assert store.rename_dataset("a", "  c  ").name == "c"
    assert [d.name for d in store.datasets()] == ["b", "c"]
    with pytest.raises(StoreError, match="already exists"):
        store.rename_dataset("b", "c")
    with pytest.raises(StoreError, match="no dataset named 'zz'"):
        store.rename_dataset("zz", "y")
    with pytest.raises(StoreError, match="needs a name"):
        store.create_dataset("   ")


def test_names_are_data_not_sql(store, write):
    hostile = "x'; DROP TABLE datasets; --"
    ingest(store, [write("o.csv", ORDERS)], hostile)
    assert store.dataset(hostile).name == hostile
    assert [d.name for d in store.datasets()] == [hostile]


def test_delete_removes_the_tables(store, write):
    ingest(store, [write("o.csv", ORDERS)], "gone")
    schema = store.dataset("gone").schema
    store.delete_dataset("gone")
    assert store.datasets() == []
    assert store.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ?",
                       [schema]).item() == 0
    with pytest.raises(StoreError, match="no dataset named 'gone'"):
        store.delete_dataset("gone")


def _snapshot(store: Store, name: str) -> tuple:
    ds = store.dataset(name)
    return (ds.version, store.query(f"SELECT * FROM {ds.table('order_lines')} ORDER BY line_id").rows(),
            store.query(f"SELECT * FROM {ds.table('orders')} ORDER BY 1, 2").rows())


def test_garbage_with_replace_leaves_the_dataset_unchanged(store, write):
    ingest(store, [write("o.csv", ORDERS)], "d")
    before = _snapshot(store, "d")
    for garbage in (bytes(range(256)) * 8, b"nothing useful here\n",
                    "会员ID,支付时间,金额\nM9,never,1\n".encode()):
        with pytest.raises(IngestError):
            ingest(store, [write("bad.csv", garbage)], "d", replace=True)
        assert _snapshot(store, "d") == before


def test_a_failure_while_saving_rolls_everything_back(store, write, monkeypatch):
    """Fault injection: the last step of the transaction fails; the delete and insert vanish."""
    ingest(store, [write("o.csv", ORDERS)], "d")
    before = _snapshot(store, "d")

    def broken(cur, ds):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "bump_version", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(store, [write("new.csv", "会员ID,支付时间,金额\nM7,2024-02-01,5\n")], "d", replace=True)
    assert _snapshot(store, "d") == before
    # A dataset that a failed import would have created does not appear either.
    with pytest.raises(RuntimeError):
        ingest(store, [write("new.csv", "会员ID,支付时间,金额\nM7,2024-02-01,5\n")], "fresh")
    assert store.find("fresh") is None


def test_schema_version_is_recorded_and_checked(tmp_path):
    path = tmp_path / "ws.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    assert con.sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [(str(SCHEMA_VERSION),)]
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="schema version 999"):
        Store(path)


def _cli(*args: str, wait: str = "0.5") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1], env={**os.environ, "MEMBERLENS_LOCK_WAIT": wait})


def _other_process(path: Path, read_only: bool = True, seconds: float = 30) -> subprocess.Popen:
    """Another process holding `path` (read-only: a report; else an import) for `seconds`; returns
    once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", "import duckdb, time\n"
                             f"con = duckdb.connect({str(path)!r}, read_only={read_only})\n"
                             f"print('open', flush=True); time.sleep({seconds})"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "open\n"
    return proc


@contextmanager
def _sessions_reading(app: Store, sql: str, sessions: int):
    """`sessions` threads running `sql` on `app` one query after another until the block ends;
    yields (results, failures)."""
    import threading

    stop, seen, failures = threading.Event(), [], []

    def read():
        while not stop.is_set():
            try:
                seen.append(app.query(sql).row(0)[0])
            except Exception as exc:
                failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(sessions)]
    for thread in readers:
        thread.start()
    try:
        yield seen, failures
    finally:
        stop.set()
        for thread in readers:
            thread.join(10)


def test_a_writer_elsewhere_gets_a_reader_one_line_after_waiting(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path):  # held for writing all along (an import from another command line)
        run = _cli("datasets", "--db", str(path))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    note, error = run.stderr.splitlines()
    assert note.startswith(f"note: {path} is held by process ") and note.endswith("waiting up to 0.5 s for it")
    assert error.startswith(f"error: {path} is being written by process ") and "try again" in error


def test_reports_run_beside_the_open_app(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path, shared=True) as app:
        ingest(app, [write("o.csv", ORDERS)], "d")
        assert app.held_read_only  # handed back after saving
        run = _cli("report", "kpis", "--dataset", "d", "--db", str(path), "--format", "csv")
        assert run.returncode == 0, run.stderr
        # A1 = 100 − 30 = 70, A2 = 50: revenue 120 over 2 orders by 2 buyers
        assert run.stdout.splitlines()[1:4] == ["revenue,120,0,", "orders,2,0,", "buyers,2,0,"]
        # and the app saves again afterwards, as often as it likes
        ingest(app, [write("more.csv", "会员ID,订单号,支付时间,实付金额\nM3,A3,2024-02-01,5\n")], "d")
        assert app.query(f"SELECT count(*) FROM {app.dataset('d').table('orders')}").item() == 3


def test_an_import_from_the_command_line_beside_the_app_says_what_to_do(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path, shared=True) as app:
        ingest(app, [write("o.csv", ORDERS)], "d")
        before = app.dataset("d").version
        run = _cli("ingest", str(write("more.csv", ORDERS)), "--dataset", "d", "--db", str(path))
        assert app.dataset("d").version == before  # untouched
    # refused at once, in one line: it never waits for the instant the app lets go of the file at a
    # save (it got in then, and held the app off for its whole import)
    assert run.returncode == 1 and run.stderr == (
        f"error: {path} is in use by the running app (process {os.getpid()}); import from the app's Data page, "
        f"or stop the app and run this again (reports work while the app runs)\n")
    assert not path.with_name(path.name + ".app").exists()  # the app's mark goes when it closes


def test_the_app_saves_after_a_report_elsewhere_lets_go(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path, shared=True) as app:
        ingest(app, [write("o.csv", ORDERS)], "d")
        reader = _other_process(path, seconds=1.5)
        started = time.monotonic()
        ingest(app, [write("more.csv", "会员ID,订单号,支付时间,实付金额\nM3,A3,2024-02-01,5\n")], "d")
        waited = time.monotonic() - started
        reader.wait()
        assert waited > 0.5  # it waited for the reader instead of failing
        assert app.query(f"SELECT count(*) FROM {app.dataset('d').table('orders')}").item() == 3


def test_a_save_the_file_is_never_given_to_fails_in_one_line_and_reading_goes_on(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path, shared=True, wait=0.5) as app:
        ingest(app, [write("o.csv", ORDERS)], "d")
        reader = _other_process(path)
        try:
            with pytest.raises(StoreError, match=r"is being read by process \d+ \(a report from the command line\?\) and was not free within 0.5 s; nothing was changed"):
                app.rename_dataset("d", "e")
            assert [d.name for d in app.datasets()] == ["d"] and app.held_read_only
        finally:
            reader.kill()
            reader.wait()


def test_readers_in_other_threads_carry_on_while_the_app_saves(tmp_path, write):

    path = tmp_path / "ws.duckdb"
    with Store(path, shared=True) as app:
        ingest(app, [write("o0.csv", ORDERS)], "d")
        table = app.dataset("d").table("orders")
        with _sessions_reading(app, f"SELECT count(*) FROM {table}", 3) as (seen, failures):
            for i in range(1, 4):
                ingest(app, [write(f"o{i}.csv", f"会员ID,订单号,支付时间,实付金额\nN{i},B{i},2024-02-01,5\n")], "d")
        assert failures == []
        assert set(seen) <= {2, 3, 4, 5} and app.query(f"SELECT count(*) FROM {table}").item() == 5
        assert app.held_read_only


def test_not_a_database_file(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("hello")
    with pytest.raises(StoreError):
        Store(path)


def test_delete_while_other_threads_read(store, write):
    import threading

    for i in range(3):
        ingest(store, [write(f"o{i}.csv", ORDERS)], f"d{i}")
    ds = store.dataset("d0")
    stop, failures = threading.Event(), []

    def read():
        while not stop.is_set():
            try:
                store.query(f"SELECT count(*) FROM {ds.table('orders')}")
            except Exception as exc:  # the table may vanish mid-loop: that is the point of the test
                if "does not exist" not in str(exc):
                    failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(3):
            store.delete_dataset(f"d{i}")
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert failures == [] and store.datasets() == []


def test_a_foreign_duckdb_file_is_left_alone(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a memberlens workspace"):
        Store(path)
    con = duckdb.connect(str(path))
    assert [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()] == ["invoices"]
    con.close()


def test_reading_commands_do_not_create_a_workspace(tmp_path):
    missing = tmp_path / "none.duckdb"
    run = subprocess.run([sys.executable, "-m", "lib", "datasets", "--db", str(missing)],
                         capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert run.returncode == 1 and run.stderr.startswith(f"error: no workspace at {missing}")
    assert not missing.exists()


def test_duckdb_spills_beside_the_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("MEMBERLENS_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("MEMBERLENS_TEMP_DIR", raising=False)
    with Store(tmp_path / "w.duckdb") as store:
        temp = store.query("SELECT current_setting('temp_directory')").item()
    assert temp == str(tmp_path / "w.duckdb.tmp")


def test_memory_and_spill_folder_can_be_set(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMBERLENS_MEMORY_LIMIT", "1500MB")
    monkeypatch.setenv("MEMBERLENS_TEMP_DIR", str(tmp_path / "spill"))
    with Store(tmp_path / "w.duckdb") as store:
        limit, temp = store.query("SELECT current_setting('memory_limit'), current_setting('temp_directory')").row(0)
    assert (limit, temp) == ("1.3 GiB", str(tmp_path / "spill"))   # DuckDB reads 1500 MB as 1.3 GiB (1000-based MB)
    monkeypatch.setenv("MEMBERLENS_MEMORY_LIMIT", "lots")
    with pytest.raises(StoreError, match="MEMBERLENS_MEMORY_LIMIT, MEMBERLENS_IMPORT_MEMORY_LIMIT or "
                                         "MEMBERLENS_TEMP_DIR is not usable"):
        Store(tmp_path / "other.duckdb")


def test_a_connection_that_can_write_works_under_the_import_cap(tmp_path, write, monkeypatch):
    monkeypatch.delenv("MEMBERLENS_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("MEMBERLENS_IMPORT_MEMORY_LIMIT", raising=False)
    path = tmp_path / "w.duckdb"
    limit = "SELECT current_setting('memory_limit')"
    with Store(path) as writer:  # the command line's import
        assert writer.query(limit).item() == "1.8 GiB"  # 2 GB: DuckDB counts 1000-based GB in 1024-based GiB
    with Store(path, shared=True) as app:
        held = app.query(limit).item()  # read-only between saves: DuckDB's own (80 % of the machine)
        with app.transaction() as cur:
            assert cur.sql(limit).fetchall()[0][0] == "1.8 GiB"  # while it saves
    assert held != "1.8 GiB"
    monkeypatch.setenv("MEMBERLENS_IMPORT_MEMORY_LIMIT", "3GB")
    with Store(path) as writer:
        assert writer.query(limit).item() == "2.7 GiB"


def _as_version_1(path: Path) -> None:
    """Make a workspace look as schema version 1 wrote it: orders without nth and first_date."""
    con = duckdb.connect(str(path))
    for (schema,) in con.sql("SELECT schema_name FROM datasets").fetchall():
        con.execute(f"ALTER TABLE {schema}.orders DROP COLUMN nth")
        con.execute(f"ALTER TABLE {schema}.orders DROP COLUMN first_date")
    con.execute("ALTER TABLE datasets DROP COLUMN currency")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()


ORDERS_V1 = "member_id,order_id,order_date,amount\nM1,A2,2024-02-01,50\nM1,A1,2024-01-05,100\nM1,R1,2024-01-09,-20\n" \
            "M2,B1,2024-01-20,80\n"


def test_a_version_1_workspace_is_upgraded_when_opened(tmp_path, write):
    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        ingest(store, [write("o.csv", ORDERS_V1)], "shop")
    _as_version_1(path)
    with pytest.raises(StoreError, match="schema version 1; open it once with the app"):
        Store(path, read_only=True)
    with Store(path) as store:  # writable: upgraded in one transaction
        ds = store.dataset("shop")
        assert store.query("SELECT value FROM meta WHERE key = 'schema_version'").item() == str(SCHEMA_VERSION)
        # the purchase sequence (none for a refund-only order) and the first purchase date, from the lines
        assert store.query(f"SELECT order_id, nth, first_date FROM {ds.table('orders')} ORDER BY order_id").rows() == [
            ("A1", 1, date(2024, 1, 5)), ("A2", 2, date(2024, 1, 5)), ("B1", 1, date(2024, 1, 20)),
            ("R1", None, date(2024, 1, 5))]


def test_the_command_line_reads_a_version_1_workspace(tmp_path, write):
    from lib.store import open_for_reading

    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        ingest(store, [write("o.csv", ORDERS_V1)], "shop")
    _as_version_1(path)
    with open_for_reading(path) as store:
        assert [d.name for d in store.datasets()] == ["shop"]
        assert store.query("SELECT value FROM meta WHERE key = 'schema_version'").item() == str(SCHEMA_VERSION)


def test_a_snapshot_reads_one_state_while_an_import_commits(store, write):
    ingest(store, [write("o.csv", ORDERS)], "shop")
    lines = f"SELECT count(*) FROM {store.dataset('shop').table('order_lines')}"
    with store.snapshot() as cur:
        assert cur.sql(lines).fetchall()[0][0] == 3
        ingest(store, [write("more.csv", "会员ID,订单号,支付时间,实付金额\nM3,A3,2024-01-07,20\n")], "shop")
        assert cur.sql(lines).fetchall()[0][0] == 3  # the import committed, but not in this snapshot
    assert store.query(lines).item() == 4


def test_a_version_2_workspace_keeps_its_bare_lines_apart_from_real_orders_once_upgraded(tmp_path, write):
    path = tmp_path / "v2.duckdb"
    with Store(path) as store:
        ingest(store, [write("bare.csv", "会员ID,支付时间,实付金额\nM1,2024-01-05 10:00,30\n")], "shop")
    con = duckdb.connect(str(path))  # as version 2 wrote it: the bare line's order is plain 'L1'
    for table in ("order_lines", "orders"):
        con.execute(f"UPDATE ds_1.{table} SET order_id = rtrim(order_id, chr(160))")
    con.execute("ALTER TABLE datasets DROP COLUMN currency")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    with Store(path) as store:
        ds = store.dataset("shop")
        assert store.query(f"SELECT order_id FROM {ds.table('orders')}").rows() == [("L1\u00a0",)]
        # a real order "L1" of the same member is another order, and the bare line is not lost
        ingest(store, [write("real.csv", "会员ID,订单号,支付时间,实付金额\nM1,L1,2024-02-01,99\n")], "shop")
        assert store.query(f"SELECT order_id, net_amount FROM {store.dataset('shop').table('orders')} "
                           "ORDER BY order_id").rows() == [("L1", Decimal("99.00")), ("L1\u00a0", Decimal("30.00"))]


# -- the shared store's switches, each race of review-23 made to happen on purpose -------------------

def test_a_thread_holding_a_cursor_never_waits_for_a_save(tmp_path, write):
    import threading

    path = tmp_path / "ws.duckdb"
    with Store(path, shared=True) as app:
        ingest(app, [write("o.csv", ORDERS)], "d")
        holding, second_done, saved = threading.Event(), threading.Event(), threading.Event()

        def reader():
            with app.snapshot():
                holding.set()
                time.sleep(0.3)  # the save below is now waiting for this cursor
                app.datasets()   # a second cursor: it must not wait for the save that waits for it
                second_done.set()

        def saver():
            holding.wait()
            app.rename_dataset("d", "e")
            saved.set()

        threads = [threading.Thread(target=reader), threading.Thread(target=saver)]
        for thread in threads:
            thread.start()
        assert second_done.wait(10) and saved.wait(10)  # neither deadlocked
        for thread in threads:
            thread.join(10)
        assert [d.name for d in app.datasets()] == ["e"]
        with app.snapshot(), pytest.raises(RuntimeError, match="holding a cursor cannot write"):
            app.rename_dataset("e", "f")  # from a thread holding a cursor: refused every time, not a hang


def test_a_transaction_inside_a_transaction_is_refused(tmp_path):
    with Store(tmp_path / "ws.duckdb") as store, store.transaction():
        with pytest.raises(RuntimeError, match="a transaction inside a transaction"):
            with store.transaction():
                pass


def test_the_app_starts_beside_a_running_report(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    with Store(path) as first:
        ingest(first, [write("o.csv", ORDERS)], "d")
    reader = _other_process(path)
    try:
        with Store(path, shared=True, wait=0.5) as app:  # opened read-only: no wait, no failure
            assert app.held_read_only and [d.name for d in app.datasets()] == ["d"]
    finally:
        reader.kill()
        reader.wait()


def test_reads_come_back_after_a_writer_elsewhere_took_the_file_in_the_gap(tmp_path, write, monkeypatch):
    import lib.store as store_module

    path = tmp_path / "ws.duckdb"
    app = Store(path, shared=True, wait=0.5)
    ingest(app, [write("o.csv", ORDERS)], "d")
    real, other = duckdb.connect, []

    def connect(db, read_only=False, config=None):
        if not read_only and not other:  # the app has just let go of its read-only file: a CLI import takes it
            other.append(_other_process(path, read_only=False, seconds=1.5))
        return real(db, read_only=read_only, config=config)

    monkeypatch.setattr(store_module.duckdb, "connect", connect)
    with pytest.raises(StoreError, match="nothing was changed"):
        app.rename_dataset("d", "e")
    started = time.monotonic()
    with pytest.raises(StoreError, match="being written by another process; try again"):
        app.datasets()  # fails at once, not after a wait that holds every session off
    assert time.monotonic() - started < 0.5
    monkeypatch.setattr(store_module.duckdb, "connect", real)
    other[0].wait()  # the other writer has let go: the next read reopens the file
    assert [d.name for d in app.datasets()] == ["d"] and app.held_read_only
    app.close()


def test_the_file_is_handed_back_when_the_last_reader_ends_during_the_hand_back(tmp_path, write):
    import threading

    path = tmp_path / "ws.duckdb"
    app = Store(path, shared=True)
    ingest(app, [write("o.csv", ORDERS)], "d")

    class SlowExit(threading.Condition):  # widens the window: the hand-back still holds the write lock
        def __exit__(self, *exc):
            done = super().__exit__(*exc)
            if sys._getframe(1).f_code.co_name == "_hand_back_when_idle" and app._readers:
                release.set()  # the reader ends now, finds the write lock taken
                time.sleep(0.05)
            return done

    app._state = SlowExit()
    in_cursor, release = threading.Event(), threading.Event()

    def reader():
        with app.cursor():
            in_cursor.set()
            release.wait(5)

    with app.transaction() as cur:
        cur.execute("UPDATE datasets SET name = 'e'")
        thread = threading.Thread(target=reader)
        thread.start()
        in_cursor.wait()
    thread.join()
    assert app.held_read_only and not app._hand_back  # handed back, not left writable while idle
    run = _cli("datasets", "--db", str(path))
    assert run.returncode == 0 and json.loads(run.stdout)[0]["name"] == "e"
    app.close()


@pytest.mark.parametrize("text", ["abc", "nan", "-5", "inf", "1e400"])
def test_a_lock_wait_that_is_not_a_number_of_seconds_is_refused(monkeypatch, text):
    from lib.store import lock_wait

    monkeypatch.setenv("MEMBERLENS_LOCK_WAIT", text)
    with pytest.raises(StoreError, match=f"MEMBERLENS_LOCK_WAIT takes seconds from 0 to 86400, not '{text}'"):
        lock_wait()
    monkeypatch.setenv("MEMBERLENS_LOCK_WAIT", "2.5")
    assert lock_wait() == 2.5


def test_sessions_reading_without_a_pause_do_not_keep_the_file_from_reports(tmp_path, write):
    path = tmp_path / "ws.duckdb"
    app = Store(path, shared=True)
    ingest(app, [write("o.csv", ORDERS)], "d")
    table = app.dataset("d").table("orders")
    # two sessions, one query (~0.1 s) after another, overlapping
    with _sessions_reading(app, f"SELECT count(*), sum(net_amount * r) FROM {table}, range(3000000) t(r)", 2) \
            as (_, failures):
        time.sleep(0.5)
        app.set_currency("d", "USD")  # a save: the file is writable until handed back
        run = _cli("datasets", "--db", str(path), wait="3")  # a report: the reads must let the file go
    assert failures == [] and run.returncode == 0, run.stderr
    assert json.loads(run.stdout)[0]["currency"] == "USD"
    app.close()
