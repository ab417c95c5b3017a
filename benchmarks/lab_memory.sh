#!/usr/bin/env bash
# Ejecuta labs con el perfil quick dentro de un cgroup de memoria con 2 GiB (el límite de
# mybinder.org) y da, por lab, si terminó, el pico de memoria del cgroup y los OOM.
# Uso (como root; cgroup v1 o v2):  bash benchmarks/lab_memory.sh /ruta/al/venv 01 02 ...
# Las copias ejecutadas quedan en executed/memoria/ (ignorado por git).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$1"; shift
limit="${MEMORY_LIMIT:-2G}"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then  # cgroup v2
    parent="/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)"
    v=2
else  # cgroup v1
    parent="/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)"
    v=1
fi
printf '| lab | resultado | segundos | pico de memoria del cgroup (GiB) | pico de RSS muestreado (GiB) | OOM |\n|---|---|---|---|---|---|\n'
for lab in "$@"; do
    cg="$parent/coursekit-mem-$lab-$$"
    mkdir "$cg"
    if [ "$v" = 2 ]; then echo "$limit" > "$cg/memory.max"; echo 0 > "$cg/memory.swap.max" || true
    else echo "$limit" > "$cg/memory.limit_in_bytes"; echo 0 > "$cg/memory.swappiness" || true; fi
    peak_rss=0
    start=$(date +%s)
    # shellcheck disable=SC2016
    sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cg" \
        env HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 OMP_NUM_THREADS=1 \
        "$venv/bin/python" -m coursekit run-labs --profile quick --output executed/memoria "$lab" \
        > "/tmp/coursekit-mem-$lab.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$v" = 2 ]; then rss=$(awk '$1=="anon"{print $2}' "$cg/memory.stat")
        else rss=$(awk '$1=="total_rss"{print $2}' "$cg/memory.stat"); fi
        [ "${rss:-0}" -gt "$peak_rss" ] && peak_rss=$rss
        sleep 0.5
    done
    status=ok; wait "$pid" || status=fallo
    seconds=$(( $(date +%s) - start ))
    if [ "$v" = 2 ]; then peak=$(cat "$cg/memory.peak" 2>/dev/null || echo 0); oom=$(awk '$1=="oom_kill"{print $2}' "$cg/memory.events")
    else peak=$(cat "$cg/memory.max_usage_in_bytes"); oom=$(awk '$1=="oom_kill"{print $2}' "$cg/memory.oom_control"); fi
    awk -v l="$lab" -v s="$status" -v t="$seconds" -v p="$peak" -v r="$peak_rss" -v o="${oom:-?}" \
        'BEGIN{printf "| %s | %s | %d | %.2f | %.2f | %s |\n", l, s, t, p/2^30, r/2^30, o}'
    rmdir "$cg" 2>/dev/null || true
done
