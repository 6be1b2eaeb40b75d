#!/bin/bash
# make check: dependencies, native unit tests, module builds for every bench kernel,
# the packaging and static checks, then the full-system bench; ends with
# "P passed, F failed". Context: host.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0
failed=0
stage_times=()

stage() {
	local name=$1 start=$SECONDS
	shift
	echo "=== $name"
	"$@"
	local rc=$?
	stage_times+=("$name $((SECONDS - start))s")
	return $rc
}

count_ktap() {
	local log=$1 p f
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
}

if ! stage deps scripts/deps.sh; then
	echo "check: dependencies could not be installed"
	echo "0 passed, 1 failed"
	exit 1
fi

mkdir -p build
run_unit() {
	make --no-print-directory unit >build/unit.log 2>&1
}
if ! stage unit run_unit; then
	grep -q '^not ok' build/unit.log || { cat build/unit.log; failed=$((failed + 1)); }
fi
grep -E '^(not )?ok |^# (PASSED|FAILED)' build/unit.log | grep -v '^ok ' || true
count_ktap build/unit.log
echo "unit: $(grep -cE '^ok [0-9]+' build/unit.log) passed, $(grep -cE '^not ok [0-9]+' build/unit.log) failed"

if stage checkpatch make --no-print-directory checkpatch; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

while read -r series kver; do
	if stage "module $kver" scripts/build-module.sh "$kver" "build/kmod/$kver"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done < <(scripts/kernels.sh)

# A stage that is one test: it passes or fails as a whole.
one_test() {
	if stage "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

# Packaging: DKMS (whose module the 6.1 machine boots below), install, the
# unit, the man pages, modinfo; then static analysis of user space.
one_test dkms scripts/dkms-check.sh
one_test install make --no-print-directory install-check
one_test unit-verify make --no-print-directory unit-verify
one_test man make --no-print-directory man-check
one_test cli make --no-print-directory cli-check
one_test modinfo make --no-print-directory modinfo-check
one_test cppcheck make --no-print-directory cppcheck
one_test bench-vars scripts/bench-vars-check.sh

run_vmtest() {
	scripts/vmtest.sh test 2>&1 | tee build/vmtest.log
}
stage vmtest run_vmtest
while read -r line; do
	read -r p f < <(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + f))
done < <(grep '^vmtest kernel=' build/vmtest.log)
# A configuration that printed no verdict at all is a failure too.
configs=$(grep -c '^vmtest: .* took ' build/vmtest.log)
verdicts=$(grep -c '^vmtest kernel=' build/vmtest.log)
[ "$configs" -eq "$verdicts" ] && [ "$verdicts" -gt 0 ] || failed=$((failed + 1))

echo "=== stage times: ${stage_times[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
