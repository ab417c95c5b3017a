#!/usr/bin/env bash
# Las pruebas con las versiones de Google Colab (constraints-colab.txt), en otro entorno virtual
# (.venv-colab o $COURSE_COLAB_VENV): las pruebas unitarias que no son lentas y los labs 03, 05 y
# 06 con nbval en el perfil ci. torch==2.13.0 de CPU sustituye al torch 2.11 (+cu128) de Colab, y
# Python es el del sistema (Colab usa 3.13; la rueda local de torch de CPU es para 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
export COURSE_VENV="${COURSE_COLAB_VENV:-.venv-colab}" COURSE_CONSTRAINTS=constraints-colab.txt
export COURSE_EXTRAS=offline,keras,test
bash scripts/setup.sh
# shellcheck disable=SC1091
. "$COURSE_VENV/bin/activate"
export COURSE_PROFILE=ci HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
# 1) Pruebas unitarias rápidas (-m "not slow"), sin las que no dependen de las versiones (ya las
#    ejecuta scripts/test.sh): archivos del repositorio, navegador, ruff y pip --dry-run. Entre
#    ellas, tests/test_widgets.py construye la demostración de los labs 02/05 y pulsa su botón con
#    el ipywidgets de Colab (7.7.1), y tests/test_quiz.py hace lo mismo con el cuestionario final.
# 2) Los labs 03, 05 y 06 con nbval (marcados slow por conftest.py).
# En paralelo como scripts/test.sh (PYTEST_WORKERS=0 lo desactiva).
workers="${PYTEST_WORKERS:-2}"
parallel=()
[ "$workers" = "0" ] || parallel=(-n "$workers" --dist loadfile)
python -c "import ipywidgets; print('ipywidgets', ipywidgets.__version__, '(Colab: 7.7.1)')"
python -m pytest "${parallel[@]}" -m "not slow" tests \
    --ignore tests/test_notebooks.py --ignore tests/test_browser.py --ignore tests/test_lint.py \
    --ignore tests/test_notebook_builder.py --ignore tests/test_release.py \
    --deselect tests/test_colab_versions.py::test_colab_install_dry_run_keeps_colab_packages "$@"
python -m pytest "${parallel[@]}" \
    solutions/03_keras.ipynb solutions/05_lora.ipynb solutions/06_prompt_tuning.ipynb "$@"
