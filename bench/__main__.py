"""``python -m bench NAME [ARGS]`` runs ``bench/NAME.py``'s ``main()``; no NAME lists them."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_")
    )
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        print("usage: python -m bench NAME [ARGS]; NAME is one of: " + ", ".join(names))
        return 2
    module = importlib.import_module(f"bench.{sys.argv[1]}")
    if not hasattr(module, "main"):
        print(f"bench.{sys.argv[1]} has no main()")
        return 2
    result = module.main(sys.argv[2:])
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
