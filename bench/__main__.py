"""Run benchmarks: ``python -m bench`` runs them all, ``python -m bench NAME [options]`` one."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(here)])
        if info.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench [{'|'.join(names)}] [options]")
        return 0
    chosen, options = ([argv[0]], argv[1:]) if argv else (names, [])
    status = 0
    for name in chosen:
        if name not in names:
            print(f"unknown benchmark {name!r}; choose from: {', '.join(names)}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"bench.bench_{name}")
        status = max(status, module.main(options))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
