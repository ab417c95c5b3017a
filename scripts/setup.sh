#!/usr/bin/env bash
# Prepara el entorno del curso en .venv (o en $COURSE_VENV):
#   1. torch==2.13.0 primero (en las máquinas del curso es una rueda local de CPU; cualquier
#      otra versión de torch se baja una build de CUDA de varios GB);
#   2. el paquete coursekit con los extras offline (modelo y datos empaquetados) y test,
#      con las versiones probadas de constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${COURSE_VENV:-.venv}"
python_bin="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "» Creando el entorno virtual $venv"
    "$python_bin" -m venv "$venv"
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"
python -m pip install -q --upgrade pip

if ! python -c "import torch" 2>/dev/null; then
    echo "» Instalando torch==2.13.0 (primero, para no arrastrar una build de CUDA)"
    python -m pip install -q "torch==2.13.0"
fi

echo "» Instalando coursekit y sus dependencias (versiones de constraints.txt)"
python -m pip install -q -c constraints.txt -e ".[offline,test]"
python -m pip check
echo "» Entorno listo: $(python -c 'import torch, transformers; print("torch", torch.__version__, "· transformers", transformers.__version__)')"
