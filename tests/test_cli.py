"""`python -m lib` as a script would use it: JSON on stdout, one line on stderr, exit codes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A GBK export with Chinese headers, as a POS system writes it, with three bad rows.
GBK_EXPORT = ("订单号,会员编号,下单时间,商品名称,数量,单价,实付金额,门店\n"
              "S001,V1001,2024/3/1 10:15,婴儿奶粉 900g,2,\"￥328.00\",\"￥656.00\",广州天河店\n"
              "S002,V1002,2024/3/1 11:02,纸尿裤 L码,1,129,129.00,广州天河店\n"
              "S003,,2024/3/2 09:40,湿巾,3,15,45.00,深圳南山店\n"
              "S004,V1003,2024/13/45,玩具车,1,89,89.00,深圳南山店\n"
              "S005,V1001,2024/3/5 16:20,辅食米粉,2,38,七十六,广州天河店\n"
              "S006,V1004,2024/3/6 12:00,奶瓶,1,99,99.00,深圳南山店\n")


def cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m lib ARGS`, run in-process (lib.__main__.main, the function the script calls): its
    exit code, stdout and stderr. test_the_command_line_runs_as_a_script runs one real process."""
    from lib.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def test_the_command_line_runs_as_a_script():
    """The one test here that starts a process: `python -m lib` runs main() as a script, usage
    errors exit 2 (everything else here calls the same main() in-process, seconds faster;
    tests/test_store.py starts processes where another process is the point)."""
    usage = subprocess.run([sys.executable, "-m", "lib", "report", "nope"], capture_output=True, text=True, cwd=ROOT)
    assert (usage.returncode, usage.stdout) == (2, "") and "invalid choice: 'nope'" in usage.stderr
    assert cli("report", "nope").returncode == 2  # the in-process runner sees the same


def test_ingest_gbk_export_counts_and_rejects(tmp_path):
    src = tmp_path / "销售明细.csv"
    src.write_bytes(GBK_EXPORT.encode("gbk"))
    db = tmp_path / "ws.duckdb"
    run = cli("ingest", str(src), "--db", str(db), "--dataset", "pos")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert list(summary) == ["dataset", "rows_read", "rows_loaded", "rows_rejected", "rejects", "members", "orders",
                             "new", "updated", "unchanged", "currency"]
    # 6 rows: S003 has no member, S004's date does not exist, S005's amount is words.
    assert {k: v for k, v in summary.items() if k != "rejects"} == {
        "dataset": "pos", "rows_read": 6, "rows_loaded": 3, "rows_rejected": 3,
        "members": 3, "orders": 3,  # V1001, V1002, V1004; S001, S002, S006
        "new": 3, "updated": 0, "unchanged": 0, "currency": "CNY"}
    with open(summary["rejects"], encoding="utf-8-sig", newline="") as fh:
        rejected = list(csv.DictReader(fh))
    assert [(r["订单号"], r["reason"]) for r in rejected] == [
        ("S003", "Member ID is empty"),
        ("S004", "Order date: cannot read '2024/13/45' as a date"),
        ("S005", "Amount (net paid): cannot read '七十六' as an amount"),
    ]
    assert rejected[0]["商品名称"] == "湿巾" and rejected[0]["实付金额"] == "45.00"

    kpis = cli("report", "kpis", "--dataset", "pos", "--db", str(db), "--format", "json")
    values = {r["metric"]: r["value"] for r in json.loads(kpis.stdout)}
    # 656 + 129 + 99 = 884 over 3 orders by 3 buyers.
    assert (values["revenue"], values["orders"], values["buyers"], values["aov"]) == (884.0, 3.0, 3.0, 294.67)
    # in CSV a count reads as a count: 3, not 3.0 (the value column mixes counts and amounts)
    as_csv = cli("report", "kpis", "--dataset", "pos", "--db", str(db)).stdout.splitlines()
    assert {"revenue,884,0,", "orders,3,0,", "buyers,3,0,", "aov,294.67,,"} <= set(as_csv)


def test_garbage_replace_fails_in_one_line_and_keeps_the_dataset(tmp_path):
    db = tmp_path / "ws.duckdb"
    good = tmp_path / "good.csv"
    good.write_bytes(GBK_EXPORT.encode("gbk"))
    assert cli("ingest", str(good), "--db", str(db), "--dataset", "pos").returncode == 0
    before = cli("report", "kpis", "--dataset", "pos", "--db", str(db)).stdout
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 50)
    run = cli("ingest", str(garbage), "--db", str(db), "--dataset", "pos", "--replace")
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == "error: garbage.csv is not a CSV, Excel or Parquet file (it holds binary data)\n"
    assert cli("report", "kpis", "--dataset", "pos", "--db", str(db)).stdout == before


def test_map_option_and_usage_errors(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("who,when,paid\nA,2024-01-01,5\n")
    db = str(tmp_path / "ws.duckdb")
    run = cli("ingest", str(src), "--db", db)
    assert run.returncode == 1 and run.stderr.startswith("error: x.csv: no column for member_id")
    run = cli("ingest", str(src), "--db", db, "--map", "who=member_id", "--map", "when=order_date",
              "--map", "paid=amount")
    assert run.returncode == 0 and json.loads(run.stdout)["dataset"] == "x"
    listed = json.loads(cli("datasets", "--db", db).stdout)
    assert [(d["name"], d["order_lines"], d["orders"]) for d in listed] == [("x", 1, 1)]
    run = cli("report", "kpis", "--dataset", "nope", "--db", db)
    assert run.returncode == 1 and run.stderr == "error: no dataset named 'nope' (datasets: x)\n"


def test_clv_that_cannot_be_predicted_is_one_line_and_exit_1(tmp_path):
    src = tmp_path / "x.csv"
    src.write_bytes(GBK_EXPORT.encode("gbk"))
    db = str(tmp_path / "ws.duckdb")
    assert cli("ingest", str(src), "--db", db, "--dataset", "pos").returncode == 0
    # Loaded: V1001 on 03-01, V1002 on 03-01, V1004 on 03-06 (S005 was rejected): nobody bought twice.
    run = cli("report", "clv", "--dataset", "pos", "--db", db)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == ("error: too few repeat buyers to fit a model (0 of 3 buyers bought more than once "
                          "by the fit date)\n")
    run = cli("report", "clv", "--dataset", "pos", "--db", db, "--backtest", "2024-03-06")
    assert run.returncode == 1 and run.stderr == "error: no purchases after the cutoff 2024-03-06: choose an earlier cutoff\n"
    run = cli("report", "clv", "--dataset", "pos", "--db", db, "--backtest", "2024-02-01")
    assert run.stderr == "error: no purchases on or before the cutoff 2024-02-01: choose a later cutoff\n"


def test_clv_boundary_fit_prints_a_note(tmp_path):
    """A dataset whose members never drop out: 30 members each buying every 10 days at their own
    pace for 200 days. The default model reaches the no-dropout limit and the CLI says so on stderr."""
    rows = ["会员ID,订单号,支付时间,实付金额"]
    for k in range(30):
        step = 5 + k  # 5 … 34 days between purchases, nobody stops
        rows += [f"M{k},M{k}-{j},{date(2024, 1, 1) + timedelta(days=step * j)},50" for j in range(200 // step + 1)]
    src = tmp_path / "steady.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = str(tmp_path / "ws.duckdb")
    assert cli("ingest", str(src), "--db", db, "--dataset", "steady").returncode == 0
    run = cli("report", "clv", "--dataset", "steady", "--db", db, "--as-of", "2024-07-19", "--params")
    assert run.returncode == 0, run.stderr
    assert run.stderr == "note: MBG/NBD: no one appears to drop out: predictions follow the NBD limit (P(alive) = 1)\n"
    assert "boundary" in run.stdout and "no_dropout" in run.stdout


def test_a_report_written_as_csv_is_safe_to_open(tmp_path):
    src = tmp_path / "o.csv"
    src.write_text("会员ID,订单号,支付时间,实付金额\n=1+2,A1,2024-01-05,10\n@evil,A2,2024-01-06,20\n", encoding="utf-8")
    db = tmp_path / "ws.duckdb"
    assert cli("ingest", str(src), "--db", str(db), "--dataset", "d").returncode == 0
    out = tmp_path / "rfm.csv"
    run = cli("report", "rfm", "--dataset", "d", "--db", str(db), "--out", str(out))
    assert run.returncode == 0, run.stderr
    ids = sorted(line.split(",")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:])
    assert ids == ["'=1+2", "'@evil"]  # stored as written, written with a ' so a spreadsheet shows them
