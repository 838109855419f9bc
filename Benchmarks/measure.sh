# Sourced by the benchmark scripts: `measure NAME COMMAND...` runs COMMAND under GNU time with its output in
# $WORK/out-NAME.txt and records wall-clock seconds (SECONDS_OF), CPU seconds, user + system of the command and its
# children (CPU_OF: on a machine shared with other work the fairer comparison) and peak RSS in KB (RSS_OF).
# `ratio A B` prints A / B with two decimals.
declare -A SECONDS_OF
declare -A CPU_OF
declare -A RSS_OF
measure() { # name, command...
    local name="$1"; shift
    local out="$WORK/time-$name.txt"
    /usr/bin/time -f "%e %U %S %M" -o "$out" "$@" > "$WORK/out-$name.txt" 2> "$WORK/err-$name.txt" || {
        echo "   $name failed: $(tail -n 3 "$WORK/err-$name.txt")"; return 0; }
    read -r secs user sys rss < <(tail -n 1 "$out")
    SECONDS_OF[$name]=$secs
    CPU_OF[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    RSS_OF[$name]=$rss
    printf "   %-10s %8.2f s wall %8.2f s CPU   peak RSS %7d KB\n" "$name" "$secs" "${CPU_OF[$name]}" "$rss"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
