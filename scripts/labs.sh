#!/usr/bin/env bash
# Prepara el entorno y ejecuta todos los labs con el perfil quick (CPU, sin red).
# Las copias ejecutadas, con sus salidas y gráficas, quedan en executed/<perfil>/ (ignorado por git).
# Otro perfil: COURSE_PROFILE=ci bash scripts/labs.sh ; solo algunos labs: bash scripts/labs.sh 01
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. "${COURSE_VENV:-.venv}/bin/activate"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
coursekit run-labs --profile "${COURSE_PROFILE:-quick}" --output executed "$@"
