"""The command line: python -m lib.demo --members 1000000 --seed 42 --out DIR [--encoding gb18030|utf-8]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lib.demo
from lib.demo.export import DEFAULT_ENCODING, DEFAULT_MEMBERS, DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lib.demo", description=lib.demo.__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=DEFAULT_MEMBERS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=Path("sample_data"))
    ap.add_argument("--encoding", choices=["gb18030", "utf-8"], default=DEFAULT_ENCODING)
    args = ap.parse_args(argv)
    if args.members < 1:
        ap.error("--members must be >= 1")
    paths = generate(args.out, members=args.members, seed=args.seed, encoding=args.encoding)
    for kind, path in paths.items():
        print(f"{kind}\t{path}\t{path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
