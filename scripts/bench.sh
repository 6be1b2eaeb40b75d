#!/bin/bash
# make bench: the native SHA-256 and Ed25519 benches, then the Bochs bench machines one after the other;
# the report goes to stdout and to build/bench/report.txt. Context: host.
# Figures are reported, not asserted. Environment: see vmtest.sh (BENCH_CONFIGS, ...).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
cd "$top" || exit 1

{
	echo "hvtrust bench, $(git describe --always --dirty 2>/dev/null || echo 'no git'), $(date -u '+%Y-%m-%d %H:%M UTC')"
	# Other work on the host moves the native figures (not the emulated ones).
	echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
	echo "Reported, not asserted: nothing here passes or fails on a threshold."
	echo
	"$out/sha256_bench" || echo "sha256_bench failed"
	echo
	"$out/ed25519_bench" || echo "ed25519_bench failed"
	echo
	scripts/vmtest.sh bench
} 2>&1 | tee "$out/report.txt.new"
status=${PIPESTATUS[0]}
mv "$out/report.txt.new" "$out/report.txt"
echo "bench: report saved to $out/report.txt"
exit "$status"
