#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the guest kernel's own view of its CPU topology, one fact per line,
# for `ktstr topo verify` to compare with the declaration on the host.
sys=/sys/devices/system

cache_list() { # <cpu dir> <level>
	for idx in "$1"/cache/index*; do
		[ "$(cat "$idx/level")" = "$2" ] || continue
		[ "$(cat "$idx/type")" = "Instruction" ] && continue
		cat "$idx/shared_cpu_list"
		return
	done
	echo none
}

echo "online $(cat $sys/cpu/online)"
echo "possible $(cat $sys/cpu/possible)"
# x86 only: arm64's /proc/cpuinfo has no vendor_id.
vendor=$(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
[ -n "$vendor" ] && echo "vendor $vendor"
for dir in $sys/cpu/cpu[0-9]*; do
	cpu=${dir##*cpu}
	node=none
	for n in "$dir"/node[0-9]*; do
		[ -e "$n" ] && node=${n##*node}
	done
	echo "cpu $cpu node $node" \
		"package $(cat "$dir/topology/physical_package_id")" \
		"core $(cat "$dir/topology/core_id")" \
		"siblings $(cat "$dir/topology/thread_siblings_list")" \
		"l2 $(cache_list "$dir" 2) l3 $(cache_list "$dir" 3)"
	# Clusters and capacities (arm64's; x86 has no cpu_capacity).
	if [ -r "$dir/cpu_capacity" ]; then
		echo "capacity $cpu $(cat "$dir/cpu_capacity")"
		echo "cluster $cpu $(cat "$dir/topology/cluster_cpus_list")"
	fi
done
# The scheduling domains and their flags (SD_ASYM_CPUCAPACITY...): the
# kernel makes their debugfs files only while sched/verbose is on.
sched=/sys/kernel/debug/sched
if [ -w "$sched/verbose" ]; then
	was=$(cat "$sched/verbose")
	echo Y > "$sched/verbose"
	for d in "$sched"/domains/cpu[0-9]*/domain[0-9]*; do
		[ -r "$d/flags" ] || continue
		cpu=${d%/domain*}
		echo "domain ${cpu##*cpu} ${d##*domain} $(cat "$d/name")" \
			"$(cat "$d/flags")"
	done
	echo "$was" > "$sched/verbose"
fi
for dir in $sys/node/node[0-9]*; do
	[ -d "$dir" ] || continue
	kb=$(sed -n 's/.*MemTotal: *\([0-9]*\) kB/\1/p' "$dir/meminfo")
	cpus=$(cat "$dir/cpulist")
	echo "node ${dir##*node} cpus ${cpus:-none} memkb ${kb:-0}" \
		"distance $(cat "$dir/distance")"
done
