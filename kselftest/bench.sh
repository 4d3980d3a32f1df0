#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot benchmark: the wall time of a cold-booted VM (4 vCPUs, default
# kernel, payload `true`) started through ktstr, against a bare QEMU boot
# of the same kernel and initramfs and against an arm64 guest (the
# default arm64 kernel, build/arm64, under TCG), interleaved so all see
# the same machine; then a restored VM against a cold one, and the suite
# with and without snapshots.
# Prints `BENCH <name> <value>` lines.
#
# BENCH_SECTIONS="boot ready ..." runs only those sections: boot, ready,
# vcpus, suite, fair, matrix, repro, monitor, gauntlet (all by default).
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
topology=1n2l2c1t

now() { date +%s.%N; }

all_sections="boot ready vcpus suite fair matrix repro monitor gauntlet"
for section in ${BENCH_SECTIONS:-}; do
	if [[ " $all_sections " != *" $section "* ]]; then
		echo "bench: BENCH_SECTIONS: no section '$section' (sections: $all_sections)" >&2
		exit 2
	fi
done
want() { [[ -z ${BENCH_SECTIONS:-} || " $BENCH_SECTIONS " == *" $1 "* ]]; }

# An arm64 guest boots only with build/arm64 and an arm64 kernel (make
# bench builds the one, make deps fetches the other): checked before any
# work.
arm64_ready() {
	if [ ! -x build/arm64/guest/init ]; then
		echo "bench: no build/arm64/guest/init: run 'make arm64'" >&2
		return 1
	fi
	if [ -z "$(vmm/kernel/default-kernel.sh arm64)" ]; then
		echo "bench: no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64' (or make deps)" >&2
		return 1
	fi
}

if want boot; then arm64_ready || exit 1; fi

median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The value at dotted PATH (wall_s, auto_repro.repro_vm_s) in each JSON
# FILE that has it, one a line: read with Python's json module, which
# refuses a file that is not JSON rather than match text in it.
json_values() {
	python3 -c '
import json, sys
for name in sys.argv[2:]:
    with open(name) as f:
        v = json.load(f)
    for key in sys.argv[1].split("."):
        v = v.get(key) if isinstance(v, dict) else None
    if v is not None and v != "":
        print(v)
' "$@"
}

# BENCH_RESULTS=DIR keeps the JSON results (calibrate.py reads them);
# else they go.
if [ -n "${BENCH_RESULTS:-}" ]; then
	results=$BENCH_RESULTS
	mkdir -p "$results"
else
	results=$(mktemp -d)
	trap 'rm -rf "$results"' EXIT
fi

# The kernel, initramfs and kernel command line ktstr would use.
plan=$(./ktstr shell --topology $topology --dry-run --exec true)
arg_after() { awk -v opt="$1" '{ for (i = 1; i < NF; i++) if ($i == opt) { print $(i + 1); exit } }' <<<"$plan"; }
kernel=$(arg_after -kernel)
accel=$(arg_after -accel)
initrd=$(arg_after -initrd)
# The plan quotes the command line for a shell: the kernel would take
# the quotes as part of its first and last words (rdinit=/init').
cmdline=$(sed -E 's/.* -append (.*) -chardev .*/\1/' <<<"$plan" |
	  sed -E "s/ -chardev.*//; s/^'(.*)'\$/\\1/")

# /init asks for its payload on ttyS3 (KTSTR_READY) and runs nothing
# until it comes: answer as ktstr does, with `true` (hex 74727565).
bare_boot() {
	local dir qemu line
	dir=$(mktemp -d)
	mkfifo "$dir/in" "$dir/out"
	exec 3<>"$dir/in" 4<>"$dir/out"
	qemu-system-x86_64 -machine q35 -accel "$accel" \
		-cpu max,vendor=GenuineIntel -smp 4 -m 512M \
		-nodefaults -display none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		-serial null -serial null -serial null \
		-chardev "file,id=ctl,path=$dir/out,input-path=$dir/in" \
		-serial chardev:ctl &
	qemu=$!
	while read -r -t 600 -u 4 line && [[ $line != KTSTR_READY ]]; do
		:
	done
	printf 'KTSTR_PAYLOAD ktstr.exec=74727565\n' >&3
	wait "$qemu"
	exec 3>&- 4>&-
	rm -rf "$dir"
}

# The arm64 guest as the x86 one of boot_ktstr_s: cold (arm64 guests have
# no snapshots), booted until /init runs the payload and the VM is gone.
arm64_boot() {
	if ! ./ktstr shell --arch arm64 --topology $topology --exec true \
	     2>"$results/arm64-boot.err"; then
		echo "bench: the arm64 guest did not boot:" >&2
		cat "$results/arm64-boot.err" >&2
		return 1
	fi
}

if want boot; then
ktstr_times=() bare_times=() arm64_times=()
for i in $(seq "$runs"); do
	t0=$(now)
	./ktstr shell --no-snapshot --topology $topology --exec true 2>/dev/null
	t1=$(now)
	bare_boot
	t2=$(now)
	arm64_boot
	t3=$(now)
	ktstr_times+=("$(awk "BEGIN { print $t1 - $t0 }")")
	bare_times+=("$(awk "BEGIN { print $t2 - $t1 }")")
	arm64_times+=("$(awk "BEGIN { print $t3 - $t2 }")")
done

ktstr_s=$(printf '%s\n' "${ktstr_times[@]}" | median)
bare_s=$(printf '%s\n' "${bare_times[@]}" | median)
arm64_s=$(printf '%s\n' "${arm64_times[@]}" | median)
printf 'BENCH boot_ktstr_s %.3f\n' "$ktstr_s"
printf 'BENCH boot_bare_s %.3f\n' "$bare_s"
awk "BEGIN { printf \"BENCH boot_ratio %.3f\\n\", $ktstr_s / $bare_s }"
printf 'BENCH boot_arm64_s %.3f\n' "$arm64_s"
awk "BEGIN { printf \"BENCH boot_arm64_ratio %.3f\\n\", $arm64_s / $ktstr_s }"
fi

# A ready guest: seconds from starting ktstr until the payload's first
# line arrives, cold (--no-snapshot) against restored from a snapshot
# (a fresh cache, saved by one run first), interleaved.
payload_running_s() {
	local t0 line
	t0=$(now)
	while IFS= read -r line; do
		if [[ $line == ktstr-bench-running ]]; then
			awk "BEGIN { print $(now) - $t0 }"
			cat >/dev/null
			return
		fi
	done < <(./ktstr shell --topology $topology "$@" \
		 --exec 'echo ktstr-bench-running' 2>/dev/null)
	echo "bench: the payload never ran ($*)" >&2
	return 1
}
# Cold with KASLR (the default: the bzImage, decompressed in the guest)
# against cold with --nokaslr (the PVH vmlinux), interleaved too.
if want ready; then
snapshots=$(mktemp -d)
export KTSTR_SNAPSHOT_DIR=$snapshots
./ktstr shell --topology $topology --exec true 2>/dev/null
cold_times=() restore_times=() nokaslr_times=()
for i in $(seq "$runs"); do
	cold_times+=("$(payload_running_s --no-snapshot)")
	restore_times+=("$(payload_running_s)")
	nokaslr_times+=("$(payload_running_s --no-snapshot --nokaslr)")
done
cold_s=$(printf '%s\n' "${cold_times[@]}" | median)
restore_s=$(printf '%s\n' "${restore_times[@]}" | median)
nokaslr_s=$(printf '%s\n' "${nokaslr_times[@]}" | median)
printf 'BENCH vm_ready_cold_s %.3f\n' "$cold_s"
printf 'BENCH vm_ready_restore_s %.3f\n' "$restore_s"
awk "BEGIN { printf \"BENCH vm_ready_ratio %.2f\\n\", $cold_s / $restore_s }"
printf 'BENCH vm_ready_cold_nokaslr_s %.3f\n' "$nokaslr_s"
awk "BEGIN { printf \"BENCH vm_ready_kaslr_ratio %.3f\\n\", $cold_s / $nokaslr_s }"
rm -rf "$snapshots"
unset KTSTR_SNAPSHOT_DIR
fi

# Boot time against the vCPU count: TCG brings vCPUs up one at a time on
# its one thread.  One boot each (the largest takes minutes); the 4-vCPU
# figure is the median above.
if want vcpus; then
if [ -n "${ktstr_s:-}" ]; then
	printf 'BENCH boot_s_4vcpu %.3f\n' "$ktstr_s"
fi
for shape in 2n4l2c2t:16 big64:64 big128:128; do
	t0=$(now)
	./ktstr shell --no-snapshot --topology "${shape%%:*}" --exec true 2>/dev/null
	t1=$(now)
	awk "BEGIN { printf \"BENCH boot_s_%svcpu %.3f\\n\", ${shape##*:}, $t1 - $t0 }"
done
fi

# The suite: its wall time from end to end and the median of one test's
# (each test's own wall time is in its JSON result).
# With snapshots (the default) from an empty snapshot cache, so the
# saves are paid for, then the same suite booting every VM cold.
if want suite; then
snapshots=$(mktemp -d)
t0=$(now)
KTSTR_SNAPSHOT_DIR=$snapshots ./ktstr run --json "$results" \
	> "$results/tap" || true
t1=$(now)
rm -rf "$snapshots"
grep -E '^# .*: (pass|fail|skip) on ' "$results/tap" | sed 's/^# //'
suite_s=$(awk "BEGIN { print $t1 - $t0 }")
printf 'BENCH suite_wall_s %.1f\n' "$suite_s"
json_values wall_s "$results"/*.json | median |
	awk '{ printf "BENCH test_wall_median_s %.1f\n", $1 }'
json_values boot "$results"/*.json | sort | uniq -c |
	awk '{ printf "BENCH suite_boots_%s %d\n", $2, $1 }'
t0=$(now)
./ktstr run --no-snapshot --json "$results/cold" > "$results/cold.tap" || true
t1=$(now)
cold_suite_s=$(awk "BEGIN { print $t1 - $t0 }")
printf 'BENCH suite_wall_cold_s %.1f\n' "$cold_suite_s"
awk "BEGIN { printf \"BENCH suite_snapshot_saving %.3f\\n\", 1 - $suite_s / $cold_suite_s }"
sed -n 's/^# ktstr: [0-9]* tests, \([0-9]*\) failed.*/BENCH suite_failed \1/p' \
	"$results/tap"
sed -n 's/^# ktstr: [0-9]* tests, \([0-9]*\) failed.*/BENCH suite_cold_failed \1/p' \
	"$results/cold.tap"
fi

# Side by side: the fair.* tests one VM at a time and with -j auto (the
# default), both restoring from the same snapshots.
if want fair; then
snapshots=$(mktemp -d)
export KTSTR_SNAPSHOT_DIR=$snapshots
t0=$(now)
./ktstr run -j 1 fair > /dev/null || true
t1=$(now)
./ktstr run -j auto fair > /dev/null || true
t2=$(now)
awk "BEGIN { printf \"BENCH fair_j1_s %.1f\\nBENCH fair_jauto_s %.1f\\nBENCH fair_jauto_speedup %.2f\\n\", $t1 - $t0, $t2 - $t1, ($t1 - $t0) / ($t2 - $t1) }"
rm -rf "$snapshots"
unset KTSTR_SNAPSHOT_DIR
fi

# A scheduler binary over its default matrix, within the default budget
# (ktstr run --scheduler), planned with a copy of this machine's cost
# file: the wall time, the entries chosen and the failures.
costs_file=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}/gauntlet-costs
if want matrix; then
if [ -f "$costs_file" ]; then
	cp "$costs_file" "$results/matrix-costs"
fi
t0=$(now)
./ktstr run --costs "$results/matrix-costs" --json "$results/matrix" \
	--scheduler build/schedulers/scx_simple \
	> "$results/matrix.tap" 2> "$results/matrix.err" || true
t1=$(now)
awk "BEGIN { printf \"BENCH scheduler_matrix_s %.1f\\n\", $t1 - $t0 }"
sed -n 's/^# matrix: \([0-9]*\) of .*/BENCH scheduler_matrix_entries \1/p' \
	"$results/matrix.err"
sed -n 's/^# ktstr: [0-9]* tests, \([0-9]*\) failed.*/BENCH scheduler_matrix_failed \1/p' \
	"$results/matrix.tap"
fi

# Auto-repro: the wall time of the probe VM after ktstr_error's exit
# (ktstr repro reruns the negative test with the agent attached).
if want repro; then
./ktstr repro --json "$results/repro" negative.ktstr_error.caught \
	> "$results/repro.tap" 2>/dev/null || true
json_values auto_repro.repro_vm_s "$results"/repro/*.json 2>/dev/null |
	awk '{ printf "BENCH repro_vm_s %.1f\n", $1 }'
fi

# The monitor's cost to the guest: the same CPU-bound work (two awk loops
# on two vCPUs, timed by the guest's /proc/uptime, five rounds a VM) with
# the monitor sampling every 10 ms and without it, interleaved; the ratio
# of the work rates (best round of each VM, median of the pairs), and the
# host CPU time per sample.
work='for r in 1 2 3 4 5; do s=$(cut -d" " -f1 /proc/uptime); for c in 0 1; do taskset -c $c awk "BEGIN { for (i = 0; i < 200000; i++) x += i }" & done; wait; e=$(cut -d" " -f1 /proc/uptime); echo "PROGRESS $s $e"; done'
# The best of the VM's five rounds: TCG's speed wanders from run to run.
rate() {
	awk '/^PROGRESS/ { r = 1 / ($3 - $2); if (r > best) best = r }
	     END { if (best) printf "%.6f\n", best }' "$1"
}
if want monitor; then
ratios=() costs=() finds=()
for i in $(seq "$runs"); do
	./ktstr monitor --topology 1n1l2c1t --interval 10 --quiet \
		--json "$results/mon.json" --exec "$work" \
		> /dev/null 2> "$results/with" || true
	./ktstr shell --topology 1n1l2c1t --exec "$work" \
		> "$results/without" 2>/dev/null || true
	with=$(rate "$results/with")
	without=$(rate "$results/without")
	if [ -n "$with" ] && [ -n "$without" ]; then
		ratios+=("$(awk "BEGIN { print $with / $without }")")
	fi
	costs+=("$(json_values host_us_per_sample "$results/mon.json")")
	finds+=("$(json_values kernel.find_ms "$results/mon.json")")
done
printf '%s\n' "${ratios[@]}" | median |
	awk '{ printf "BENCH monitor_progress_ratio %.3f\n", $1 }'
printf '%s\n' "${costs[@]}" | median |
	awk '{ printf "BENCH monitor_sample_host_us %.1f\n", $1 }'
# Finding the (KASLR-placed) kernel in the guest's 512 MiB, once per VM.
printf '%s\n' "${finds[@]}" | median |
	awk '{ printf "BENCH monitor_find_kernel_ms %.2f\n", $1 }'
fi

# The gauntlet's cost model: a 90 s budget planned with a copy of this
# machine's cost file, run; the relative error of the estimate.
if want gauntlet; then
if [ -f "$costs_file" ]; then
	cp "$costs_file" "$results/costs"
fi
t0=$(now)
./ktstr gauntlet --budget 90 --costs "$results/costs" \
	> /dev/null 2> "$results/gauntlet.err" || true
t1=$(now)
est=$(sed -n 's/^# gauntlet: .* entries, estimated \([0-9.]*\)s .*/\1/p' \
      "$results/gauntlet.err")
if [ -n "$est" ]; then
	awk "BEGIN { w = $t1 - $t0; printf \"BENCH gauntlet_budget90_estimated_s %.1f\\nBENCH gauntlet_budget90_wall_s %.1f\\nBENCH gauntlet_estimate_error %.3f\\n\", $est, w, ($est > w ? $est - w : w - $est) / w }"
fi
fi
