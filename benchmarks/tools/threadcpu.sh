#!/bin/bash
# Where the CPU goes while a benchmark child runs: per-thread CPU of each given JVM (ticks of
# 1/100 s, user and system, Java thread names from jstack) over a window, and the machine's
# context switches per second and idle share over the same window (from /proc/stat).
#
#   benchmarks/tools/threadcpu.sh <seconds> <pid>...
#
# For example, during a HostOverhead run:
#   benchmarks/tools/threadcpu.sh 8 $(pgrep -n -f 'child --mode=healthy') $(pgrep -n -f 'HostOverhead --rounds')
set -euo pipefail
secs=$1; shift
snap() { for t in /proc/$1/task/*; do echo "$(basename "$t") $(awk '{print $14" "$15}' "$t/stat" 2>/dev/null || echo "0 0")"; done | sort; }
machine() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5} /^ctxt/{print $2}' /proc/stat | tr '\n' ' '; }
declare -A before
for p in "$@"; do before[$p]=$(snap "$p"); done
m1=$(machine)
sleep "$secs"
m2=$(machine)
for p in "$@"; do
  echo "== pid $p: $(tr '\0' ' ' < /proc/$p/cmdline | cut -c1-120)"
  names=$(jstack "$p" 2>/dev/null | grep -o '^"[^"]*".*nid=0x[0-9a-f]*' | sed -E 's/^"([^"]*)".*nid=(0x[0-9a-f]*)/\2 \1/' || true)
  join <(echo "${before[$p]}") <(snap "$p") | awk '{u=$4-$2; s=$5-$3; if (u+s>2) print u+s, u, s, $1}' | sort -rn |
    while read -r d u s tid; do
      printf "%6d ticks (usr %5d sys %5d)  %s\n" "$d" "$u" "$s" "$(echo "$names" | grep -i "^$(printf '0x%x' "$tid") " | cut -d' ' -f2- || true)"
    done
done
read -r t1 i1 c1 <<< "$m1"; read -r t2 i2 c2 <<< "$m2"
awk -v t=$((t2 - t1)) -v i=$((i2 - i1)) -v c=$((c2 - c1)) -v s="$secs" \
  'BEGIN { printf "machine: %.0f context switches/s, idle %.1f%%\n", c / s, 100 * i / t }'
