"""Benchmark: corregir una clase entera con ``coursekit grade`` (aislado, ``--workers``).

Construye un zip como el de Moodle con N entregas del lab (la solución, y el notebook del
estudiante sin hacer cada ``--student-every`` entregas), lo corrige en una sola ejecución y
imprime el tiempo total, los segundos por entrega y la razón frente al objetivo (10 minutos
para 30 entregas del lab 02 en esta máquina de 2 núcleos).

Uso:  python -m coursekit.instructor.bench.grading_class --lab 02 -n 30 --workers 2
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from coursekit.instructor.grading.grader import grade_class

ROOT = Path(__file__).resolve().parents[3]


def build_zip(lab: str, count: int, student_every: int, path: Path) -> Path:
    solution = next((ROOT / "solutions").glob(f"{lab}_*.ipynb"))
    student = ROOT / "notebooks" / solution.name
    with zipfile.ZipFile(path, "w") as bundle:
        for number in range(count):
            source = student if student_every and number % student_every == 0 else solution
            folder = f"Estudiante {number:03d}_{20000 + number}_assignsubmission_file_"
            bundle.writestr(f"{folder}/Copia de {solution.name}", source.read_bytes())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="02")
    parser.add_argument("-n", type=int, default=30, help="número de entregas")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--student-every", type=int, default=10)
    parser.add_argument("--budget-s", type=float, default=600.0, help="objetivo en segundos")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-grade-") as scratch:
        archive = build_zip(args.lab, args.n, args.student_every, Path(scratch) / "clase.zip")
        load = os.getloadavg()[0]
        start = time.perf_counter()
        run = grade_class(archive, args.lab, Path(scratch) / "salida", workers=args.workers)
        seconds = time.perf_counter() - start
        statuses = Counter(g.result.status for g in run.grades)
        totals = Counter(g.total for g in run.grades)
    print(
        f"\nlab {args.lab} · {args.n} entregas · {args.workers} trabajadores · "
        f"{os.cpu_count()} núcleos · {platform.machine()} · carga media al empezar {load:.1f}"
    )
    print(f"estados: {dict(statuses)} · notas: {dict(sorted(totals.items()))}")
    print(
        f"total {seconds:.0f} s · {seconds / args.n:.1f} s por entrega · "
        f"{seconds / args.budget_s:.2f} del objetivo de {args.budget_s:.0f} s"
    )


if __name__ == "__main__":
    main()
