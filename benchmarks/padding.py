"""Atajo de ``coursekit bench padding`` (el código está en ``coursekit.bench.padding``).

Uso:  python benchmarks/padding.py --profile quick
(igual que: coursekit bench padding --profile quick)
"""

import sys

from coursekit.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "padding", *sys.argv[1:]]))
