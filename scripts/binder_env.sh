#!/usr/bin/env bash
# Construye un entorno como el de mybinder.org solo con los archivos de binder/, para medir los
# labs con el límite de memoria de Binder (docs/benchmarks.md):
#   bash scripts/binder_env.sh /tmp/venv-binder
#   PATH=/tmp/venv-binder/bin:$PATH OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 \
#       python -m coursekit bench labs --profile quick --memory-limit 2G
# repo2docker hace lo mismo: Python de binder/runtime.txt, pip install -r binder/requirements.txt
# y después binder/postBuild desde la raíz del repositorio. Su servidor (notebook 7.4 con
# ipykernel) se sustituye aquí por esos dos paquetes. Ejecútalo en un clon limpio: postBuild
# instala el curso en modo editable desde esta carpeta.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:?uso: bash scripts/binder_env.sh CARPETA_DEL_VENV}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# El índice de PyTorch de binder/requirements.txt puede no ser accesible (sin red): pip sigue
# con los demás índices, que tienen la misma rueda de CPU.
PIP_DEFAULT_TIMEOUT="${PIP_DEFAULT_TIMEOUT:-15}" PIP_RETRIES="${PIP_RETRIES:-0}" \
    "$venv/bin/python" -m pip install -q -r binder/requirements.txt
"$venv/bin/python" -m pip install -q "notebook==7.4.*" ipykernel
PATH="$venv/bin:$PATH" bash binder/postBuild
"$venv/bin/python" -m pip check
echo "» Entorno de Binder en $venv: $(du -sh "$venv" | cut -f1)"
