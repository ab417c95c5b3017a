#!/usr/bin/env bash
# Prepara el entorno y ejecuta todas las pruebas: unitarias de coursekit, notebooks/ al día
# y cada lab de solutions/ ejecutado con nbval en el perfil ci, sin red (y en full contra el Hub
# sustituto: tests/test_labs_full.py).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash scripts/setup.sh
echo "» $(( $(date +%s) - started )) s en preparar el entorno"
# shellcheck disable=SC1091
. "${COURSE_VENV:-.venv}/bin/activate"
export COURSE_PROFILE="${COURSE_PROFILE:-ci}" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
# Comprobaciones estáticas (~15 s): formato, tipos con su línea base (mypy-baseline.json) y los
# ganchos de pre-commit (todos locales: no hace falta red). COURSE_STATIC_CHECKS=0 las salta.
if [ "${COURSE_STATIC_CHECKS:-1}" != "0" ]; then
    ruff format --check .
    python scripts/typecheck.py
    if git rev-parse --git-dir >/dev/null 2>&1; then
        PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-${TMPDIR:-/tmp}/coursekit-pre-commit}" \
            pre-commit run --all-files --show-diff-on-failure
    fi
    echo "» $(( $(date +%s) - started )) s con las comprobaciones estáticas"
fi
# En paralelo (pytest-xdist): un archivo por proceso (--dist loadfile), así las celdas de un
# lab (nbval) se ejecutan en orden en el mismo kernel. PYTEST_WORKERS=0 lo desactiva.
workers="${PYTEST_WORKERS:-2}"
if [ "$workers" = "0" ]; then
    python -m pytest "$@"
else
    python -m pytest -n "$workers" --dist loadfile "$@"
fi
