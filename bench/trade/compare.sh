#!/usr/bin/env bash
# Two dyad binaries on the same one-dyad questions, alternating, so that both meet the same load:
# for changes to the fast path that must not make it slower.
#
#   bench/trade/compare.sh OLD NEW HOME [ROUNDS] [REPEAT] [E I]...
#
# HOME is a home with a trade store (bench/trade/run.sh leaves its 25-year store in
# bench/out/trade/home-years-v4-2000000-2000-2024). Pairs default to the heaviest and the median
# pair of that store. Each round runs, for every pair, OLD then NEW:
#
# - `dyad trade products E I --level 2 --repeat REPEAT` (in process: one untimed run, then
#   REPEAT timed; p50 and min of the wall times), first on any core, then pinned to core 0;
# - with `perf`: the CPU time of a query pinned to core 0, (task-clock of --repeat 220 minus
#   that of --repeat 20) / 200, which waiting for a busy core does not inflate.
#
# Then, with `valgrind`, the instructions of a query (callgrind: the difference of --repeat 30
# and --repeat 10, / 20), the same under any load. The report (Markdown: every round, then per
# pair and measure the median over rounds (least min) and NEW / OLD; the load average before and
# after) goes to stdout and to $OUT (default bench/out/trade/compare.md). The machine is shared:
# only ratios measured in one run count.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
old="$1" new="$2" home="$3"
rounds="${4:-5}" repeat="${5:-200}"
shift $(($# < 5 ? $# : 5))
pairs=("$@")
if ((${#pairs[@]} == 0)); then pairs=(ATF BIH FJI YEM); fi
out="${OUT:-$here/../out/trade/compare.md}"
mkdir -p "$(dirname "$out")"
have() { command -v "$1" > /dev/null; }

# "p50 min" of one run.
wall() {
    local pin=()
    if [[ "$2" == pinned ]]; then pin=(taskset -c 0); fi
    "${pin[@]}" "$1" --home "$home" trade products "$3" "$4" --level 2 --repeat "$repeat" \
        --format csv 2>&1 > /dev/null |
        sed -n 's/.*p50_ms=\([0-9.]*\).*min_ms=\([0-9.]*\).*/\1 \2/p'
}
task_ms() { perf stat -x, -e task-clock taskset -c 0 "$@" 2>&1 > /dev/null | grep task-clock | cut -d, -f1; }
cpu() {
    local a b
    a="$(task_ms "$1" --home "$home" trade products "$2" "$3" --level 2 --format csv --repeat 20)"
    b="$(task_ms "$1" --home "$home" trade products "$2" "$3" --level 2 --format csv --repeat 220)"
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", (b - a) / 200 }'
}
ir_total() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
instructions() {
    local a b
    a="$(ir_total "$1" --home "$home" trade products "$2" "$3" --level 2 --format csv --repeat 10)"
    b="$(ir_total "$1" --home "$home" trade products "$2" "$3" --level 2 --format csv --repeat 30)"
    echo $(((b - a) / 20))
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
least() { sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }

{
    echo "# Fast path: two builds compared"
    echo
    echo "Measured by \`bench/trade/compare.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores:"
    echo "OLD \`$old\`, NEW \`$new\`, store \`$home\`; $rounds rounds, \`--repeat $repeat\`."
    echo "Load average before: $(uptime | sed 's/.*load average: //')."
    echo
    echo "| round | pair | measure | OLD | NEW |"
    echo "| --- | --- | --- | --- | --- |"
} | tee "$out"
declare -A got
measures=("wall p50 ms, any core" "wall min ms, any core" "wall p50 ms, core 0" "wall min ms, core 0")
if have perf; then measures+=("CPU ms a query, core 0"); fi
for r in $(seq 1 "$rounds"); do
    for ((k = 0; k < ${#pairs[@]}; k += 2)); do
        e="${pairs[k]}" i="${pairs[k + 1]}"
        for side in old new; do
            bin="$old"
            if [[ "$side" == new ]]; then bin="$new"; fi
            read -r p50 min < <(wall "$bin" any "$e" "$i")
            got["$e $i 0 $side"]+="$p50 "
            got["$e $i 1 $side"]+="$min "
            read -r p50 min < <(wall "$bin" pinned "$e" "$i")
            got["$e $i 2 $side"]+="$p50 "
            got["$e $i 3 $side"]+="$min "
            if have perf; then got["$e $i 4 $side"]+="$(cpu "$bin" "$e" "$i") "; fi
        done
        for m in "${!measures[@]}"; do
            a="$(awk '{print $NF}' <<< "${got["$e $i $m old"]}")"
            b="$(awk '{print $NF}' <<< "${got["$e $i $m new"]}")"
            echo "| $r | $e->$i | ${measures[m]} | $a | $b |" | tee -a "$out"
        done
    done
done
{
    echo
    echo "Load average after: $(uptime | sed 's/.*load average: //')."
    echo
    echo "| pair | measure | OLD | NEW | NEW / OLD |"
    echo "| --- | --- | --- | --- | --- |"
    for ((k = 0; k < ${#pairs[@]}; k += 2)); do
        e="${pairs[k]}" i="${pairs[k + 1]}"
        for m in "${!measures[@]}"; do
            pick=median
            if [[ "${measures[m]}" == *min* ]]; then pick=least; fi
            a="$(tr ' ' '\n' <<< "${got["$e $i $m old"]}" | grep . | $pick)"
            b="$(tr ' ' '\n' <<< "${got["$e $i $m new"]}" | grep . | $pick)"
            echo "| $e->$i | ${measures[m]} ($pick over rounds) | $a | $b | $(ratio "$a" "$b") |"
        done
        if have valgrind; then
            a="$(instructions "$old" "$e" "$i")"
            b="$(instructions "$new" "$e" "$i")"
            echo "| $e->$i | instructions a query (callgrind) | $a | $b | $(ratio "$a" "$b") |"
        fi
    done
} | tee -a "$out"
