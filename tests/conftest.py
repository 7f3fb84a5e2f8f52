from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lib.store import Store  # noqa: E402


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "ws.duckdb") as st:
        yield st


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text, encoding='utf-8') -> path; bytes are written as given."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write
