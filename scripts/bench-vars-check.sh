#!/bin/bash
# Proves that every VM_* variable of the Bochs bench reaches it and does what the README says,
# set in the environment and on make's command line alike, from the plan of
# "make vmtest-plan": nothing is built or booted. Context: host (make check).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
vars=(VM_TESTS VM_CONFIGS VM_JOBS VM_TIMEOUT VM_KERNEL VM_CPU VM_DKMS VM_EXTRA)
unset_vars=()
for var in "${vars[@]}"; do unset_vars+=(-u "$var"); done
failures=0
checks=0
extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT

fail() { echo "bench-vars: FAIL $*" >&2; failures=$((failures + 1)); }

# The plan with NAME=VALUE given the way $how says (env or make), no other VM_* set.
plan() {
	local how=$1
	shift
	if [ "$how" = env ]; then
		env "${unset_vars[@]}" "$@" make -s --no-print-directory -C "$top" vmtest-plan
	else
		env "${unset_vars[@]}" make -s --no-print-directory -C "$top" vmtest-plan "$@"
	fi
}

# expect HOW 'ASSIGNMENTS' PATTERN...: each PATTERN (an ERE) matches some line of the plan;
# a PATTERN that starts with '!' matches none.
expect() {
	local how=$1 assignments=$2 out pattern
	shift 2
	checks=$((checks + 1))
	# shellcheck disable=SC2086 # one word an assignment
	if ! out=$(plan "$how" $assignments 2>&1); then
		fail "$how $assignments: the plan failed: $out"
		return
	fi
	for pattern in "$@"; do
		if [ "${pattern:0:1}" = '!' ]; then
			! grep -qE -- "${pattern:1}" <<<"$out" || fail "$how $assignments: a line matches ${pattern:1}:"$'\n'"$out"
		else
			grep -qE -- "$pattern" <<<"$out" || fail "$how $assignments: no line matches $pattern:"$'\n'"$out"
		fi
	done
}

# refused HOW 'ASSIGNMENTS' MESSAGE: the plan fails and says why.
refused() {
	local how=$1 assignments=$2 message=$3 out
	checks=$((checks + 1))
	# shellcheck disable=SC2086 # one word an assignment
	if out=$(plan "$how" $assignments 2>&1); then
		fail "$how $assignments: accepted, expected a refusal"
	elif ! grep -qF -- "$message" <<<"$out"; then
		fail "$how $assignments: refused without saying '$message': $out"
	fi
}

# The defaults the README gives.
expect env '' "^plan: jobs=$(nproc) dkms=yes extra=none$" \
	'^plan: test series=6.12 .* cpu=tigerlake cpus=2 expect=load timeout=3600 tests=default ' \
	'^plan: test series=6.12 .* cpu=corei7_skylake_x cpus=4 expect=load timeout=3600 tests=load_test,caps_test,hv_test ' \
	'^plan: test series=6.1 .* cpu=corei7_skylake_x cpus=2 expect=load timeout=3600 tests=default ' \
	'^plan: test series=6.12 .* cpu=corei7_skylake_x cpus=2 expect=load ' \
	'^plan: test series=6.12 .* cpu=ryzen cpus=1 expect=refuse timeout=480 ' \
	'^plan: demo series=6.12 kernel=6\.12\.[^ ]* cpu=corei7_skylake_x cpus=1 timeout=300 ' \
	'^plan: shell series=6.12 kernel=6\.12\.[^ ]* cpu=corei7_skylake_x cpus=1 '

for how in env make; do
	expect "$how" VM_TESTS=load_test,trust_session_test,trust_lifecycle_test \
		'^plan: test .* tests=load_test,trust_session_test,trust_lifecycle_test ' \
		'!^plan: test .* tests=(default|load_test,caps_test,hv_test) '
	expect "$how" 'VM_CONFIGS=6.12:corei7_skylake_x:1:load' \
		'^plan: test series=6.12 kernel=6\.12\.[^ ]* cpu=corei7_skylake_x cpus=1 expect=load timeout=480 tests=default ' \
		'!^plan: test .* cpu=(tigerlake|ryzen) ' '!^plan: test .* cpus=[24] '
	expect "$how" 'VM_CONFIGS=6.1:tigerlake:2:refuse:caps_test,hv_test' \
		'^plan: test series=6.1 kernel=6\.1\.[^ ]* cpu=tigerlake cpus=2 expect=refuse timeout=3600 tests=caps_test,hv_test ' \
		'!^plan: test series=6.12 '
	# VM_TESTS stands for every configuration's own list too.
	expect "$how" 'VM_CONFIGS=6.12:corei7_skylake_x:1:load:caps_test VM_TESTS=hv_test' \
		'^plan: test .* tests=hv_test ' '!tests=caps_test'
	expect "$how" VM_JOBS=1 '^plan: jobs=1 '
	expect "$how" VM_TIMEOUT=77 '^plan: test .* timeout=77 ' '!^plan: test .* timeout=(3600|480) ' \
		'^plan: demo .* timeout=77 '
	expect "$how" VM_KERNEL=6.1 '^plan: demo series=6.1 kernel=6\.1\.' '^plan: shell series=6.1 kernel=6\.1\.'
	expect "$how" VM_CPU=corei7_icelake_u '^plan: demo .* cpu=corei7_icelake_u ' '^plan: shell .* cpu=corei7_icelake_u '
	expect "$how" VM_DKMS=no '^plan: jobs=[0-9]+ dkms=no ' '!module=build/dkms/'
	expect "$how" "VM_EXTRA=$extra" "^plan: .* extra=$extra$"
	refused "$how" VM_TESTS=load_test,no_such_test "no selftest named 'no_such_test'"
	refused "$how" VM_CONFIGS=6.12:corei7_skylake_x:1:maybe "expected load or refuse"
	refused "$how" VM_JOBS=0 "VM_JOBS=0: expected a positive number"
	refused "$how" VM_TIMEOUT=soon "VM_TIMEOUT=soon: expected a positive number"
	refused "$how" VM_KERNEL=5.10 "no kernel for series 5.10"
	refused "$how" VM_CPU=Not/A/Model "not a Bochs CPU model name"
	refused "$how" VM_DKMS=maybe "VM_DKMS=maybe: expected yes or no"
	refused "$how" VM_EXTRA=/nonexistent "VM_EXTRA=/nonexistent is not a directory"
done

if [ "$failures" -ne 0 ]; then
	echo "bench-vars: $failures of $checks checks failed" >&2
	exit 1
fi
echo "bench-vars: $checks checks of the VM_* variables passed (environment and make command line)"
