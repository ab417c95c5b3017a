#!/usr/bin/env bash
# Prepara el entorno del curso en .venv (o en $COURSE_VENV):
#   1. torch==2.13.0 primero (en las máquinas del curso es una rueda local de CPU; cualquier
#      otra versión de torch se baja una build de CUDA de varios GB);
#   2. el paquete coursekit con todos sus extras: offline (modelo y datos empaquetados), keras
#      (lab 03) y dev (pytest, nbval, ruff, JupyterLab), con las versiones de constraints.txt.
# Otro conjunto de versiones (p. ej. las de Colab) o de extras:
#   COURSE_VENV=/tmp/venv-colab COURSE_CONSTRAINTS=constraints-colab.txt \
#   COURSE_EXTRAS=offline,keras,test bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${COURSE_VENV:-.venv}"
python_bin="${PYTHON:-python3}"
constraints="${COURSE_CONSTRAINTS:-constraints.txt}"
extras="${COURSE_EXTRAS:-offline,keras,dev}"

if [ ! -x "$venv/bin/python" ]; then
    echo "» Creando el entorno virtual $venv"
    "$python_bin" -m venv "$venv"
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"
# pip fijo, como el resto de versiones (constraints.txt): una versión nueva de pip (su
# resolvedor, sus avisos) podría cambiar la instalación de CI sin ningún cambio en el
# repositorio. La de `python -m venv` puede ser antigua, así que se fija una conocida; se sube a
# mano, junto con constraints.txt.
python -m pip install -q "pip==26.3"

if ! python -c "import torch" 2>/dev/null; then
    echo "» Instalando torch==2.13.0 (primero, para no arrastrar una build de CUDA)"
    python -m pip install -q "torch==2.13.0"
fi

echo "» Instalando coursekit[$extras] (versiones de $constraints)"
python -m pip install -q -c "$constraints" -e ".[$extras]"
python -m pip check
echo "» Entorno listo: $(python -c 'import torch, transformers; print("torch", torch.__version__, "· transformers", transformers.__version__)')"
