#!/usr/bin/env bash
# Comprueba que el extra «instructor» basta para corregir (nbclient e
# ipykernel llegaban solo a través de nbval/jupyterlab, y una instalación limpia daba «error del
# corrector» a cada entrega):
#   1. un entorno virtual limpio (sin --system-site-packages), con torch==2.13.0 primero (en las
#      máquinas del curso, la rueda local de CPU) y después solo -e ".[instructor]";
#   2. pip check;
#   3. `coursekit grade` de una clase pequeña del lab 01 (la solución y el notebook sin hacer),
#      aislada si bwrap funciona aquí y, si no, con --no-sandbox (son notebooks del curso);
#   4. la solución saca 8 de 8 y el notebook sin hacer 0, sin «error del corrector».
# Uso: bash scripts/check_instructor_env.sh [CARPETA_DEL_ENTORNO]   (por defecto, una temporal,
# que se borra al acabar). Tarda minutos (ver docs/benchmarks.md): no está en .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python_bin="${PYTHON:-python3}"
scratch="$(mktemp -d)"
venv="${1:-$scratch/venv}"
trap 'rm -rf "$scratch"' EXIT
start=$(date +%s)

echo "» Entorno limpio en $venv"
"$python_bin" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "torch==2.13.0"
echo "» coursekit[instructor] (versiones de constraints.txt)"
"$venv/bin/python" -m pip install -q -c constraints.txt -e ".[instructor]"
"$venv/bin/python" -m pip check
installed=$(( $(date +%s) - start ))
echo "» Instalado en ${installed} s"

# Nada del entorno de quien lo lanza: ni PYTHONPATH ni otro entorno virtual.
env -u PYTHONPATH -u VIRTUAL_ENV PATH="$venv/bin:/usr/bin:/bin" COURSE_PROFILE=ci \
    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    "$venv/bin/python" - "$scratch" <<'PY'
import csv
import subprocess
import sys
import zipfile
from pathlib import Path

import coursekit
from coursekit.instructor.grading.sandbox import check_sandbox

scratch = Path(sys.argv[1])
assert Path(coursekit.__file__).resolve().parent == Path("coursekit").resolve(), coursekit.__file__
archive = scratch / "entregas.zip"
with zipfile.ZipFile(archive, "w") as bundle:
    for student, folder in (("Solución Completa_1", "solutions"), ("Sin Hacer_2", "notebooks")):
        name = f"{student}_assignsubmission_file_/01_preparar_datos.ipynb"
        bundle.write(Path(folder) / "01_preparar_datos.ipynb", name)
command = ["coursekit", "grade", str(archive), "--lab", "01", "--out", str(scratch / "out")]
command += ["--cell-timeout", "300", "--timeout", "900"]
if check_sandbox().path is None:
    print("» bwrap no aísla aquí: se corrige con --no-sandbox (notebooks del propio curso)")
    command.append("--no-sandbox")
subprocess.run(command, check=True)
with (scratch / "out" / "notas.csv").open(encoding="utf-8-sig", newline="") as handle:
    rows = {row["nombre"]: row for row in csv.DictReader(handle, delimiter=";")}
got = {name: (row["total"], row["estado"]) for name, row in rows.items()}
expected = {"Solución Completa": ("8", "corregida"), "Sin Hacer": ("0", "corregida")}
assert got == expected, got
print("» Clase corregida con solo el extra instructor:", got)
PY
echo "» Todo en $(( $(date +%s) - start )) s"
