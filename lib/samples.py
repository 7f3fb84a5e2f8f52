"""The bundled demo: `sample_data/` loaded as one dataset the first time a workspace opens.

The files are exactly what a user would upload (a GB18030 order export with Chinese headers, an
Excel members file, a survey export and a spend sheet), so the demo also exercises ingest. They
load once per workspace: a user who deletes the demo dataset does not get it back on restart.
"""

from __future__ import annotations

from pathlib import Path

from lib.ingest import Part, ingest_parts
from lib.store import Store

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_DATASET = "示例 母婴零售 demo"
# (kind, file) in load order: orders first, so members / NPS / spend enrich them.
SAMPLE_FILES = (("orders", "orders.csv"), ("members", "members.xlsx"), ("nps", "nps.csv"),
                ("spend", "spend.csv"))
_MARKER = "sample_loaded"


def ensure_sample_dataset(store: Store, sample_dir: Path | None = None) -> bool:
    """Load the demo into a workspace that never had it; True when it was loaded now."""
    sample_dir = sample_dir or SAMPLE_DIR
    if store.query("SELECT 1 FROM meta WHERE key = ?", [_MARKER]).height:
        return False
    present = [(kind, sample_dir / name) for kind, name in SAMPLE_FILES if (sample_dir / name).exists()]
    if not present or store.find(SAMPLE_DATASET) is not None:
        return False
    # One transaction for all files: a half-loaded demo would never be completed (the dataset exists).
    ingest_parts(store, [Part(kind, [path]) for kind, path in present], SAMPLE_DATASET, replace=True)
    with store.transaction() as cur:
        cur.execute("INSERT INTO meta VALUES (?, '1') ON CONFLICT DO NOTHING", [_MARKER])
    return True
