#!/usr/bin/env bash
# Run a command inside a fresh memory cgroup and print the cgroup's peak memory: what a container
# of that size really needs (page cache and shared pages counted once, unlike summed RSS).
#
#   sudo tools/cgroup_peak.sh [--limit-mb M] -- COMMAND...
#
# As root. cgroup v1 (memory.max_usage_in_bytes) or v2 (memory.peak, Linux 5.19+). With
# --limit-mb the cgroup is also capped at M MiB, as a container of that size would be.
set -euo pipefail
limit_mb=""
if [ "${1:-}" = "--limit-mb" ]; then limit_mb="$2"; shift 2; fi
[ "${1:-}" = "--" ] && shift
[ "$#" -gt 0 ] || { echo "usage: $0 [--limit-mb M] -- COMMAND..." >&2; exit 2; }
name="lstm-peak-$$"
if [ -d /sys/fs/cgroup/memory ]; then  # v1 (or hybrid)
  group="/sys/fs/cgroup/memory/$name"; mkdir "$group"
  [ -n "$limit_mb" ] && echo $((limit_mb * 1024 * 1024)) > "$group/memory.limit_in_bytes"
  peak_file="$group/memory.max_usage_in_bytes"; failcnt_file="$group/memory.failcnt"
else  # v2
  group="/sys/fs/cgroup/$name"; mkdir "$group"
  [ -n "$limit_mb" ] && echo $((limit_mb * 1024 * 1024)) > "$group/memory.max"
  peak_file="$group/memory.peak"; failcnt_file=""
fi
cleanup() { rmdir "$group" 2>/dev/null || true; }
trap cleanup EXIT
status=0
bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$group" "$@" || status=$?
peak=$(cat "$peak_file")
echo "cgroup peak: $((peak / 1024 / 1024)) MiB${limit_mb:+ (limit $limit_mb MiB)}; exit $status${failcnt_file:+; limit hits $(cat "$failcnt_file")}" >&2
exit "$status"
