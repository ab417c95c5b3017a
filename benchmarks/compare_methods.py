"""Atajo de ``coursekit bench methods`` (el código está en ``coursekit.bench.methods``).

Uso:  python benchmarks/compare_methods.py --profile quick
(igual que: coursekit bench methods --profile quick)
"""

import sys

from coursekit.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "methods", *sys.argv[1:]]))
