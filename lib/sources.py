"""Reading a user's file into a staging table of text columns, whatever its format.

- Format by content, not by name: `PK` (zip) is Excel `.xlsx`, `PAR1` is Parquet, else text.
- Text: the encoding is detected (BOM; strict UTF-8; strict GB18030, the superset of GBK that
  Chinese Excel and ERP exports use; else charset-normalizer's best guess) and anything but UTF-8 is transcoded in 1 MiB
  chunks into a UTF-8 copy, so a large file never sits in memory. DuckDB's CSV sniffer then
  finds the delimiter, quoting and any title lines above the header, and its reader loads every
  field as text, keeping malformed lines (wrong number of fields) in a rejects table.
- Excel: fastexcel reads the chosen sheet (default: the first one holding a table) as text;
  the header is the first row as wide as the table, so title rows above it are skipped.
- Parquet: DuckDB's reader, each column cast to text.

The staging table has the source columns renamed c0, c1, …: header names are user data and never
enter SQL text; the original headers travel alongside as a Python list.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib

import codecs
import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl
from charset_normalizer import from_bytes

from lib.contract import Kind, missing_required, suggest_mapping
from lib.store import first_line

SNIFF_BYTES = 256 * 1024
TRANSCODE_CHUNK = 1024 * 1024
# Bounded work: what a file may hold before it is refused (within seconds, in one line) or a row
# rejected. DuckDB drops a line longer than its read buffer without a word, so the longest line
# is measured first and the buffer made to hold it: a line over MAX_LINE_BYTES is then a rejected
# row with its reason, and one over REFUSED_LINE_BYTES (no newline in 64 MB) refuses the file.
MAX_LINE_BYTES = 2_000_000
REFUSED_LINE_BYTES = 64 * 1024 * 1024
MAX_COLUMNS = 2_000
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit: a workbook claiming more is not one Excel wrote
MAX_UNPACKED_BYTES = 1024 ** 3  # an .xlsx unpacked (1.9 MB of zip can unpack to gigabytes)
HEADER_SEARCH_ROWS = 30  # title rows above an Excel table's header
REPLACEMENT = "\ufffd"
DELIMITERS = (",", "\t", ";", "|")
csv.field_size_limit(1 << 30)  # a long free-text field is data, not an error

Format = Literal["csv", "xlsx", "parquet"]


class SourceError(Exception):
    """The file cannot be used at all; the message is one line."""


@dataclass
class Source:
    """One file as staged: where its rows are and how it was read."""

    path: Path
    format: Format
    headers: list[str]
    table: str  # staging table: text columns c0..cN; rowid + 1 = the data row's position
    rows: int  # data rows staged
    malformed: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema={"line": pl.Int64, "raw_line": pl.String, "error": pl.String, "found": pl.Int64,
                "line_bytes": pl.Int64}))
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    undecodable: bool = False  # some bytes were not valid in the detected encoding
    utf8_rows: int = 0  # lines of a GB18030 file written in UTF-8, read as UTF-8 (transcode_to_utf8)
    mixed_line_ends: bool = False  # lines end in CR and in LF (CRLF) by turns; each read as a line end

    @property
    def rows_read(self) -> int:
        return self.rows + self.malformed.height

    def describe(self) -> str:
        """How the file was read, in English (the command line prints it): "CSV, gb18030, delimiter
        ','" or "XLSX, sheet 订单". The import page translates "delimiter", "tab" and "sheet"
        (lib/ingest.py read_as_words): keep these words, and the sheet last."""
        parts = [self.format.upper()]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append("delimiter " + ("tab" if self.delimiter == "\t" else repr(self.delimiter)))
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        return ", ".join(parts)


FILE_NAME_BYTES = 200  # a file name we write, in UTF-8 bytes (file systems allow 255)


def short_file_name(name: str, limit: int = FILE_NAME_BYTES) -> str:
    """`name` as a file name we can write: no folder part, only printable characters, never "."
    or "..", and at most `limit` UTF-8 bytes, cut at a character, keeping a short extension
    (.csv, .xlsx). An 80-character Chinese name is 240 bytes: past most file systems' 255 once a
    suffix is added."""
    name = "".join(c for c in name.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable()).strip()
    if name.strip(".") == "":
        name = "file"
    stem, suffix = os.path.splitext(name)
    if len(suffix.encode()) > 16:
        stem, suffix = name, ""
    cut = stem.encode()[:max(limit - len(suffix.encode()), 1)].decode("utf-8", "ignore")
    return (cut or "file") + suffix


def detect_format(path: Path) -> Format:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(f"{path.name} is an old Excel .xls file; save it as .xlsx or CSV and try again")
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a file from its first bytes (a Python codec name)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4000]
    even_zeros, odd_zeros = head[0::2].count(0), head[1::2].count(0)
    half = max(len(head) // 2, 1)
    # UTF-16 without a BOM: ASCII-range text puts a zero in every other byte, on one side only.
    if odd_zeros > 0.4 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.4 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    if b"\x00" in sample:
        raise SourceError("binary")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Chinese exports are the common case and charset-normalizer misjudges short GBK samples
        # (as Korean, say): a sample that is valid GB18030 is read as GB18030.
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is not None:
        name = best.encoding.lower().replace("_", "")
        return "gb18030" if name in {"gb2312", "gbk", "gb18030", "hz"} else best.encoding
    # A few broken bytes in an otherwise readable file: read it, and the rows holding them are
    # rejected (see REPLACEMENT) rather than the whole file.
    for encoding in ("gb18030", "utf-8"):
        text = sample.decode(encoding, errors="replace")
        if text.count(REPLACEMENT) <= max(4, len(text) // 50):
            return encoding
    raise SourceError("binary")


# Two CJK characters in UTF-8 (3 bytes each, lead E4–E9): where a line of a GB18030 export may be
# UTF-8 instead (a row pasted in from another system). GB18030 decodes such bytes without an
# error, as mojibake (奶粉 → 濂剁矇), so a line is read as UTF-8 when it holds this and all of it is
# valid UTF-8, which genuine GB18030 Chinese text almost never is.
# Found with bytes.translate and bytes.find (C loops: a regex scan doubled the transcoding time).
_BYTE_CLASS = bytes(ord("L") if 0xE4 <= b <= 0xE9 else ord("C") if 0x80 <= b <= 0xBF else ord(".")
                    for b in range(256))
_UTF8_CJK_PAIR = b"LCCLCC"


def transcode_to_utf8(src: Path, dest: Path, encoding: str) -> tuple[bool, int]:
    """Stream `src` into a UTF-8 copy. Returns (some bytes could not be decoded, how many lines
    of a GB18030 file were UTF-8 and read as such: its encoding decided per line)."""
    if encoding != "gb18030":
        return _transcode_whole(src, dest, encoding), 0
    undecodable, utf8_rows, carry = False, 0, b""
    with src.open("rb") as fin, dest.open("w", encoding="utf-8", newline="") as fout:
        while True:
            chunk = fin.read(TRANSCODE_CHUNK)
            data = carry + chunk
            if not chunk:
                body, carry = data, b""
            else:  # whole lines only (0x0A is never part of a GB18030 character)
                cut = data.rfind(b"\n") + 1
                body, carry = (data[:cut], data[cut:]) if cut else (b"", data)
                if len(carry) > REFUSED_LINE_BYTES:  # else the carry grows chunk by chunk (quadratic)
                    raise SourceError(f"{src.name} has a line of over {REFUSED_LINE_BYTES // 2**20} MB "
                                      "(no line break in it): not a table export")
            text, rows = _decode_lines(body, encoding)
            if fout.tell() == 0:
                text = text.lstrip("\ufeff")  # GB18030's byte order mark
            undecodable = undecodable or REPLACEMENT in text
            utf8_rows += rows
            fout.write(text)
            if not chunk:
                return undecodable, utf8_rows


def _decode_lines(body: bytes, encoding: str) -> tuple[str, int]:
    classes = body.translate(_BYTE_CLASS)
    parts, start, rows, at = [], 0, 0, classes.find(_UTF8_CJK_PAIR)
    while at >= 0:
        first = body.rfind(b"\n", 0, at) + 1
        end = body.find(b"\n", at)
        end = len(body) if end < 0 else end + 1
        try:
            line = body[first:end].decode("utf-8")
        except UnicodeDecodeError:
            line = None
        # Some GB18030 text is valid UTF-8 too (瀚版本): UTF-8 only when that reading holds more
        # common characters (GB2312 level 1) than the file's own encoding does.
        if line is not None and _common_hanzi(line) > _common_hanzi(body[first:end].decode(encoding, "replace")):
            parts += [body[start:first].decode(encoding, errors="replace"), line]
            start, rows = end, rows + 1
        at = classes.find(_UTF8_CJK_PAIR, end)  # the next line: this one is decided
    parts.append(body[start:].decode(encoding, errors="replace"))
    return "".join(parts), rows


def _common_hanzi(text: str) -> int:
    """How many characters of `text` are common Chinese ones (GB2312 level 1, lead bytes B0–D7):
    what a real sentence is mostly made of, and mojibake mostly is not."""
    count = 0
    for char in text:
        if char >= "\u4e00":
            try:
                lead = char.encode("gb2312")[0]
            except UnicodeEncodeError:
                continue
            count += 0xB0 <= lead <= 0xD7
    return count


def _transcode_whole(src: Path, dest: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    undecodable = False
    with src.open("rb") as fin, dest.open("w", encoding="utf-8", newline="") as fout:
        while chunk := fin.read(TRANSCODE_CHUNK):
            text = decoder.decode(chunk)
            undecodable = undecodable or REPLACEMENT in text
            fout.write(text.lstrip("\ufeff") if fout.tell() == 0 else text)
        tail = decoder.decode(b"", final=True)
        undecodable = undecodable or REPLACEMENT in tail
        fout.write(tail)
    return undecodable


@dataclass(frozen=True)
class LineScan:
    longest: int  # the longest run of bytes without a line feed that spans chunks (else 0)
    lone_cr: int  # carriage returns not followed by a line feed (old Mac line ends)
    line_feeds: int


def scan_lines(path: Path) -> LineScan:
    """One pass of C loops (find / rfind / count) over `path`: the longest line that spans chunks of
    TRANSCODE_CHUNK (a line inside one chunk is shorter than that, and counts as 0), and how its
    lines end."""
    longest = run = lone_cr = line_feeds = 0
    ends_in_cr = False
    with path.open("rb") as fh:
        while chunk := fh.read(TRANSCODE_CHUNK):
            # a CR at the end of the last chunk was counted as lone: not if this chunk starts with LF
            lone_cr += chunk.count(b"\r") - chunk.count(b"\r\n") - (ends_in_cr and chunk.startswith(b"\n"))
            line_feeds += chunk.count(b"\n")
            ends_in_cr = chunk.endswith(b"\r")
            first = chunk.find(b"\n")
            if first < 0:
                run += len(chunk)
                continue
            longest = max(longest, run + first)
            run = len(chunk) - chunk.rfind(b"\n") - 1
    return LineScan(max(longest, run), lone_cr, line_feeds)


_CR_LINE_END = re.compile(rb"\r\n?")


def _one_line_end(src: Path, dest: Path) -> None:
    """Copy `src` with every line end (CR, CRLF) made a line feed: a file whose lines end in CR, LF
    and CRLF by turns (pasted together from several systems) is read one row per line; DuckDB's
    reader takes one kind of line end per file, and a row ending in another is joined to the next."""
    with src.open("rb") as fin, dest.open("wb") as fout:
        carry = b""
        while chunk := fin.read(TRANSCODE_CHUNK):
            data = carry + chunk
            carry = b"\r" if data.endswith(b"\r") else b""  # its LF may start the next chunk
            fout.write(_CR_LINE_END.sub(b"\n", data[:len(data) - len(carry)]))
        fout.write(carry.replace(b"\r", b"\n"))


def _buffer_for(longest: int) -> int:
    """DuckDB's read buffer: its default, or larger than the longest line (so that line is read
    and rejected for its length, not dropped)."""
    default = 16 * MAX_LINE_BYTES
    return default if longest < default // 2 else -(-2 * longest // 2**20) * 2**20  # twice it, in whole MiB


def stage(con: duckdb.DuckDBPyConnection, path: Path, table: str, work_dir: Path,
          sheet: str | None = None, kind: Kind = "orders") -> Source:
    """Load `path` into staging table `table` (our own name) and describe what was read.

    `kind` helps choose an Excel sheet and header row: the first whose headers name every
    required field of that kind of file."""
    if not path.is_file():
        raise SourceError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise SourceError(f"{path.name} is empty")
    fmt = detect_format(path)
    if fmt == "xlsx":
        return _stage_excel(con, path, table, sheet, kind)
    if fmt == "parquet":
        return _stage_parquet(con, path, table)
    return _stage_csv(con, path, table, work_dir)


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, work_dir: Path) -> Source:
    with path.open("rb") as fh:
        sample = fh.read(SNIFF_BYTES)
    try:
        encoding = detect_encoding(sample)
    except SourceError:
        raise SourceError(f"{path.name} is not a CSV, Excel or Parquet file (it holds binary data)") from None
    readable, undecodable, utf8_rows = path, False, 0
    if encoding not in ("utf-8", "utf-8-sig"):
        readable = work_dir / f"{table}.utf8.csv"
        undecodable, utf8_rows = transcode_to_utf8(path, readable, encoding)
    lines = scan_lines(readable)
    if lines.lone_cr and lines.line_feeds:  # mixed line ends (a file of CRs alone is read as such)
        one_end = work_dir / f"{table}.lines.csv"
        _one_line_end(readable, one_end)
        readable = one_end
    longest = lines.longest  # a bound: lines split at lone CRs are only shorter
    if longest > REFUSED_LINE_BYTES:
        raise SourceError(f"{path.name} has a line of over {REFUSED_LINE_BYTES // 2**20} MB (no line break in it): "
                          "not a table export")
    with readable.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        text = fh.read(SNIFF_BYTES)
    if "\n" not in text and "\r" not in text and len(text) == SNIFF_BYTES:  # and the file goes on
        raise SourceError(f"{path.name}: its first line is over {SNIFF_BYTES // 1024} KB long, more columns than "
                          f"can be read (at most {MAX_COLUMNS:,})")
    try:
        delimiter, skip, headers = sniff_dialect(text)
    except SourceError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
    if len(headers) > MAX_COLUMNS:
        raise SourceError(f"{path.name} has {len(headers):,} columns; at most {MAX_COLUMNS:,} are read")
    columns = {f"c{i}": "VARCHAR" for i in range(len(headers))}

    def read(into: str, max_line: int, buffer: int) -> None:
        # The dialect is ours (DuckDB's sniffer gives up on files with a few bad lines); every
        # line that does not split into len(headers) fields lands in the rejects table.
        try:
            rel = con.read_csv(str(readable), auto_detect=False, header=True, skiprows=skip,
                               delimiter=delimiter, quotechar='"', escapechar='"', columns=columns,
                               max_line_size=max_line, buffer_size=buffer,
                               store_rejects=True, rejects_table=f"{into}_rejects", rejects_scan=f"{into}_scans")
            _create_text_table(con, rel, into)
        except duckdb.Error as exc:
            raise SourceError(f"{path.name} cannot be read as a table: {first_line(exc)}") from None

    read(table, MAX_LINE_BYTES, _buffer_for(longest))
    long_records = None
    if _errors(con, table, "UNQUOTED VALUE"):
        # A quoted value holding line breaks that runs past max_line_size loses DuckDB its place:
        # every line after it reads as a broken row of its own (a 40 MB value gave 320,000 rejects).
        # Read again with room for a record up to REFUSED_LINE_BYTES and reject the long ones here,
        # with their length; a stray quote that swallows even that keeps the first reading.
        wide = f"{table}_wide"
        read(wide, REFUSED_LINE_BYTES, _buffer_for(REFUSED_LINE_BYTES))
        better = not _errors(con, wide, "LINE SIZE OVER MAXIMUM")
        for suffix in ("", "_rejects", "_scans"):
            con.execute(f"DROP TABLE {table if better else wide}{suffix}")
            if better:
                con.execute(f"ALTER TABLE {wide}{suffix} RENAME TO {table}{suffix}")
        if better:
            long_records = _take_long_records(con, table, len(headers), delimiter, first_line_no=skip + 2)
    # One malformed line can raise several errors (one per extra field): keep the line once.
    # A short line is reported once per missing field (Found: 5, Found: 6 for a 5-field line under
    # 7 headers), a long one once per extra field: its real count is the fewest, or the most.
    malformed = con.sql(f"""
        SELECT line::BIGINT AS line, any_value(csv_line) AS raw_line,
               string_agg(DISTINCT error_message, '; ') AS error,
               CASE WHEN bool_and(error_type = 'MISSING COLUMNS') THEN min(found)
                    WHEN bool_and(error_type = 'TOO MANY COLUMNS') THEN max(found) END AS found,
               max(line_bytes) AS line_bytes
        FROM (SELECT *, TRY_CAST(regexp_extract(error_message, 'Found: ([0-9]+)', 1) AS BIGINT) AS found,
                     CASE WHEN error_type = 'LINE SIZE OVER MAXIMUM'
                          THEN TRY_CAST(regexp_extract(error_message, 'Actual Size: ?([0-9]+)', 1) AS BIGINT) END
                         AS line_bytes
              FROM {table}_rejects)
        GROUP BY line ORDER BY line""").pl()
    if long_records is not None:
        malformed = pl.concat([malformed, long_records]).sort("line")
    return Source(path, "csv", headers, table, _count(con, table), malformed, encoding=encoding,
                  delimiter=delimiter, undecodable=undecodable, utf8_rows=utf8_rows,
                  mixed_line_ends=bool(lines.lone_cr and lines.line_feeds))


def _errors(con: duckdb.DuckDBPyConnection, table: str, error_type: str) -> int:
    """How many errors of `error_type` DuckDB's reading of `table` met."""
    return con.sql(f"SELECT count(*) FROM {table}_rejects WHERE error_type = ?", params=[error_type]).fetchall()[0][0]


def _take_long_records(con: duckdb.DuckDBPyConnection, table: str, width: int, delimiter: str,
                       first_line_no: int) -> pl.DataFrame:
    """Move the staged records longer than MAX_LINE_BYTES (their fields and delimiters) out of
    `table`, as malformed lines with their length (`first_line_no`: the file line of the first
    record; a record holding line breaks counts as one)."""
    fields = [f"c{i}" for i in range(width)]
    length = " + ".join(f"coalesce(strlen({c}), 0)" for c in fields) + f" + {width - 1}"  # strlen: bytes
    long = con.sql(f"""
        SELECT (rowid + {first_line_no})::BIGINT AS line, concat_ws(?, {', '.join(fields)}) AS raw_line,
               NULL::VARCHAR AS error, NULL::BIGINT AS found, ({length})::BIGINT AS line_bytes
        FROM {table} WHERE {length} > {MAX_LINE_BYTES}""", params=[delimiter]).pl()
    con.execute(f"DELETE FROM {table} WHERE {length} > {MAX_LINE_BYTES}")
    return long


def _stage_excel(con: duckdb.DuckDBPyConnection, path: Path, table: str, sheet: str | None,
                 kind: Kind) -> Source:
    import fastexcel

    _check_workbook(path)
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for broken files
        raise SourceError(f"{path.name} is not a readable Excel workbook: {first_line(exc)}") from None
    names = reader.sheet_names
    if sheet is not None and sheet not in names:
        raise SourceError(f"{path.name} has no sheet {sheet!r} (sheets: {', '.join(names)})")
    grids = [(name, reader.load_sheet(name, header_row=None, dtypes="string").to_polars())
             for name in ([sheet] if sheet is not None else names)]
    # First choice: the first sheet and row whose headers name every required field; else the
    # first sheet holding any table, its header the first row as wide as the table.
    for strict in (True, False):
        for name, grid in grids:
            found = _excel_table(grid, kind if strict else None)
            if found is not None:
                headers, body = found
                _create_text_table(con, con.from_arrow(body.to_arrow()), table)
                return Source(path, "xlsx", headers, table, _count(con, table), sheet=name)
    raise SourceError(f"{path.name} has no sheet holding a table (a header row and data rows)")


def _check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts unpack past MAX_UNPACKED_BYTES or whose sheets hold more rows
    than Excel allows: first from what it claims (the zip's sizes, a sheet's <dimension>: no
    unpacking), then from what it holds, counted while unpacking it once, chunk by chunk (a
    hand-made zip may claim 5 MB and hold a gigabyte, and a sheet need not have a <dimension>)."""
    try:
        with zipfile.ZipFile(path) as book:
            entries = book.infolist()  # the sheets, and the shared strings holding their text
            claimed = sum(i.file_size for i in entries)
            if claimed > MAX_UNPACKED_BYTES:
                raise SourceError(_unpacks_too_far(path, f"{claimed / 2**30:.1f} GB"))
            sheets = [i for i in entries if i.filename.startswith("xl/worksheets/")]
            for info in sheets:
                with book.open(info) as sheet:
                    head = sheet.read(4096).decode("utf-8", "replace")
                rows = re.search(r'<dimension ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"', head)
                if rows and int(rows.group(1)) > MAX_SHEET_ROWS:
                    raise SourceError(_too_many_rows(path, f"claims {int(rows.group(1)):,}"))
        unpacked = 0
        for info in entries:
            rows, tail = 0, b""
            for chunk in _unpacked(path, info):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    raise SourceError(_unpacks_too_far(path, f"more than {MAX_UNPACKED_BYTES // 2**30} GB"))
                if info in sheets:  # a row tag split between two chunks is found in tail + chunk
                    rows += len(_ROW_TAG.findall(tail + chunk)) - len(_ROW_TAG.findall(tail))
                    tail = chunk[-16:]
                    if rows > MAX_SHEET_ROWS:
                        raise SourceError(_too_many_rows(path, f"holds over {MAX_SHEET_ROWS:,}"))
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error, struct.error) as exc:
        raise SourceError(f"{path.name} is not a readable Excel workbook: {first_line(exc)}") from None


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")  # <row r="2">, <row/>, with a namespace prefix <x:row>
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip entry's local header: its name and extra field follow


def _unpacked(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A zip entry's bytes as unpacked, chunk by chunk, read from its data to the end of its deflate
    stream: neither the sizes the zip declares (zipfile stops at the declared size) nor its CRC is
    trusted, since the Excel reader unpacks the stream itself."""
    with path.open("rb") as raw:
        raw.seek(info.header_offset)
        header = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
        if header[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"no entry where {info.filename} should start")
        raw.seek(header[-2] + header[-1], os.SEEK_CUR)  # past its name and extra field
        if info.compress_type == zipfile.ZIP_STORED:
            left = info.compress_size
            while left > 0 and (chunk := raw.read(min(left, TRANSCODE_CHUNK))):
                left -= len(chunk)
                yield chunk
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise zipfile.BadZipFile(f"{info.filename} is compressed in a way Excel does not write")
        stream = zlib.decompressobj(-zlib.MAX_WBITS)
        while not stream.eof:
            data = stream.unconsumed_tail or raw.read(TRANSCODE_CHUNK)
            if not data:
                return  # the file ends inside the stream: the Excel reader will say it is broken
            yield stream.decompress(data, TRANSCODE_CHUNK)  # at most a chunk unpacked at a time


def _unpacks_too_far(path: Path, size: str) -> str:
    return f"{path.name} unpacks to {size}; at most {MAX_UNPACKED_BYTES // 2**30} GB are read (save it as CSV)"


def _too_many_rows(path: Path, rows: str) -> str:
    return f"{path.name} {rows} rows in a sheet; Excel holds at most {MAX_SHEET_ROWS:,}"


def _excel_table(grid: pl.DataFrame, kind: Kind | None) -> tuple[list[str], pl.DataFrame] | None:
    """The header row and data rows of a sheet, or None when it holds no table (of `kind`)."""
    if grid.height < 2 or grid.width == 0:
        return None
    top = grid.head(HEADER_SEARCH_ROWS)
    filled = top.select(pl.sum_horizontal(pl.all().is_not_null()).alias("n"))["n"].to_list()
    header_at = None
    for i, n in enumerate(filled):
        cells = [str(v).strip() for v in top.row(i) if v is not None and str(v).strip()]
        if kind is not None:
            if cells and not missing_required(set(suggest_mapping(cells, kind).values()), kind):
                header_at = i
                break
        elif n == max(filled) and n >= 2:
            header_at = i
            break
    if header_at is None:
        return None
    body = grid.slice(header_at + 1)
    body = body.filter(pl.any_horizontal(pl.all().is_not_null()))  # blank spacer rows are not data
    header_row = grid.row(header_at)
    # A column keeps its place when it has a header or holds data (named columnN then).
    keep = [i for i, v in enumerate(header_row)
            if (v is not None and str(v).strip()) or body.get_column(grid.columns[i]).is_not_null().any()]
    headers = _unique([str(header_row[i]).strip() if header_row[i] is not None and str(header_row[i]).strip()
                       else f"column{i + 1}" for i in keep])
    if body.height == 0:
        return None
    return headers, body.select([grid.columns[i] for i in keep])


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> Source:
    try:
        rel = con.read_parquet(str(path))
        headers = list(rel.columns)
        _create_text_table(con, rel, table)
    except duckdb.Error as exc:
        raise SourceError(f"{path.name} is not a readable Parquet file: {first_line(exc)}") from None
    return Source(path, "parquet", headers, table, _count(con, table))


def sniff_dialect(text: str) -> tuple[str, int, list[str]]:
    """(delimiter, lines above the header, header names) from the start of a text file.

    The delimiter is the candidate that splits the most lines into the same number (≥ 2) of
    fields; the header is the first line with that number, so report titles above it are
    skipped. A file no delimiter splits is one column. Quotes follow RFC 4180 (Python's csv
    module does the splitting).
    """
    lines = text.splitlines(keepends=True)
    if len(text) >= SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    best: tuple[int, int, str] = (0, 1, DELIMITERS[0])  # (lines of that width, width, delimiter)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)
                      if len(row) >= 2 and any(c.strip() for c in row)]
        except csv.Error as exc:
            raise SourceError(f"cannot split the lines into fields ({exc})") from None
        if widths:
            width, count = Counter(widths).most_common(1)[0]
            best = max(best, (count, width, delimiter), key=lambda b: b[:2])
    _, width, delimiter = best
    reader = csv.reader(lines, delimiter=delimiter)
    for row in reader:
        if len(row) == width and any(c.strip() for c in row):
            headers = [cell.strip() or f"column{i + 1}" for i, cell in enumerate(row)]
            return delimiter, reader.line_num - 1, _unique(headers)
    raise SourceError("no lines of text to read")


def _create_text_table(con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, table: str) -> None:
    # Positional names through the expression API: no header text is spliced into SQL. The
    # table's rowid follows the file's order (DuckDB preserves insertion order), so rowid + 1 is
    # the data row's position in the source.
    columns = [duckdb.ColumnExpression(name).cast(duckdb.sqltype("VARCHAR")).alias(f"c{i}")
               for i, name in enumerate(rel.columns)]
    rel.select(*columns).create(table)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _unique(headers: list[str]) -> list[str]:
    """Header names made unique (`备注`, `备注_3`, …) without taking a name another column has."""
    out: list[str] = []
    for h in headers:
        name, n = h, 1
        while name in out or (name != h and name in headers):
            n += 1
            name = f"{h}_{n}"
        out.append(name)
    return out


def copy_with_bom(src: Path, dest: Path) -> None:
    """UTF-8 with a BOM, so Excel shows Chinese text right when the user opens the file."""
    with src.open("rb") as fin, dest.open("wb") as fout:
        fout.write(codecs.BOM_UTF8)
        shutil.copyfileobj(fin, fout, TRANSCODE_CHUNK)
