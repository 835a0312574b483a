#!/bin/sh
# numaplace plan and libvirt: domain XML as input (errors name the file,
# the element and why; an existing <numatune> held to unless --replace),
# --emit libvirt (every domain valid for libvirt's own schema, files under
# --out written whole), and --advise printing what numad -w prints.
set -u
. "$(dirname "$0")/lib.sh"
XEON=$DUMPS/xeon-4n-seed001
CXL=$DUMPS/cxl-memonly
command -v virt-xml-validate >/dev/null 2>&1 || { echo "SKIP: virt-xml-validate is missing (libvirt-clients)"; exit 77; }

# validate FILE WHAT: libvirt's schema accepts it
validate() {
	if virt-xml-validate "$1" domain >"$TMP/v" 2>&1; then ok; else
		bad "$2: $(cat "$TMP/v")"; fi
}

# ---- bad domains: one line, exit 2, nothing on stdout ----------------------
printf "<domain type='qemu'><name>v</name><memory>1048576</memory><vcpu>0</vcpu></domain>\n" >"$TMP/vm1.xml"
expect_error 2 "^numaplace: plan: $TMP/vm1.xml: <vcpu>: '0': at least one vCPU\$" \
	plan --sysroot "$XEON" --emit libvirt "$TMP/vm1.xml"
printf "<domain type='qemu'>\n<name>v</name>\n<memory>1</memory>\n</domian>\n" >"$TMP/bad.xml"
expect_error 2 "^numaplace: plan: $TMP/bad.xml:4: malformed XML: Opening and ending tag mismatch: domain line 1 and domian\$" \
	plan --sysroot "$XEON" "$TMP/bad.xml"
printf "<domain><name>v</name><memory unit='furlong'>1</memory></domain>" >"$TMP/unit.xml"
expect_error 2 "^numaplace: plan: $TMP/unit.xml: <memory>: unit 'furlong': not a size unit" \
	plan --sysroot "$XEON" "$TMP/unit.xml"
printf "<domain><name>v</name><memory unit='G'>1</memory><memoryBacking><hugepages><page size='64' unit='K'/></hugepages></memoryBacking></domain>" >"$TMP/huge.xml"
expect_error 2 "^numaplace: plan: $TMP/huge.xml: <memoryBacking><hugepages><page size='64' unit='K'>: hugepages are 2 MiB or 1 GiB\$" \
	plan --sysroot "$XEON" "$TMP/huge.xml"
printf "<domain><name>v</name><memory unit='G'>1</memory><numatune><memory nodeset='0-2,x'/></numatune></domain>" >"$TMP/ns.xml"
expect_error 2 "^numaplace: plan: $TMP/ns.xml: <numatune><memory nodeset>: '0-2,x': not a node set" \
	plan --sysroot "$XEON" "$TMP/ns.xml"
expect_error 2 "^numaplace: plan: --emit: 'virsh' is not one of json, table, libvirt, qemu, qemu-pins\$" \
	plan --emit virsh "$TMP/vm1.xml"

# ---- an existing nodeset is held to, unless --replace ----------------------
cat >"$TMP/pinned.xml" <<'XML'
<domain type='kvm'>
  <name>pinned</name>
  <memory unit='GiB'>8</memory>
  <vcpu>4</vcpu>
  <numatune><memory mode='strict' nodeset='0-3,^0,^1,^2'/></numatune>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
XML
run_np plan --sysroot "$XEON" --emit libvirt "$TMP/pinned.xml"
if [ "$RC" = 0 ] && grep -q '<memory mode="strict" nodeset="3"/>' "$TMP/out"; then ok; else
	bad "pinned.xml: nodeset 3 not held to: $(grep nodeset "$TMP/out")"; fi
grep -q "<emulator>/usr/bin/qemu-system-x86_64</emulator>" "$TMP/out" && ok || bad "pinned.xml: <devices> not kept"
grep -q "<vcpu placement='static'>4</vcpu>" "$TMP/out" && ok || bad "pinned.xml: <vcpu> not rewritten"
cp "$TMP/out" "$TMP/pinned-out.xml"
validate "$TMP/pinned-out.xml" "pinned.xml emitted"
run_np plan --sysroot "$XEON" --replace --emit libvirt "$TMP/pinned.xml"
# free: best-fit's tightest node, 2 (62570 MB free against 3's 63527)
if [ "$RC" = 0 ] && grep -q '<memory mode="strict" nodeset="2"/>' "$TMP/out"; then ok; else
	bad "pinned.xml --replace: $(grep 'memory mode' "$TMP/out")"; fi

# ---- new domains for a JSON list: larger than a node, hugepages, refused ---
cat >"$TMP/vms.json" <<'JSON'
[{"name":"big","vcpus":24,"memory_mib":90000},
 {"name":"small","vcpus":2,"memory_mib":2048,"dedicated_cpus":true},
 {"name":"giant","vcpus":2,"memory_mib":9000000}]
JSON
mkdir "$TMP/out-dir"
run_np plan --sysroot "$XEON" --emit libvirt --restrictive --out "$TMP/out-dir" "$TMP/vms.json"
if [ "$RC" = 0 ] && [ ! -s "$TMP/out" ] && [ "$(ls "$TMP/out-dir")" = "big.xml
small.xml" ]; then ok; else
	bad "--out: exit $RC, files: $(ls "$TMP/out-dir" | tr '\n' ' ')"; fi
ls -a "$TMP/out-dir" | grep -q tmp && bad "--out: a temporary file was left"
for f in "$TMP"/out-dir/*.xml; do validate "$f" "$f"; done
# the VM larger than a node: two guest cells over two host nodes, their
# distances mirroring the host's 21
big=$TMP/out-dir/big.xml
[ "$(grep -c '<memnode cellid=' "$big")" = 2 ] && ok || bad "big.xml: not two memnodes"
[ "$(grep -c '<cell id=' "$big")" = 2 ] && ok || bad "big.xml: not two guest cells"
grep -q '<sibling id="1" value="21"/>' "$big" && ok || bad "big.xml: no distance 21"
grep -q 'mode="restrictive"' "$big" && ok || bad "big.xml: --restrictive not written"
[ "$(grep -c '<vcpupin ' "$big")" = 24 ] && ok || bad "big.xml: not 24 vcpupins"
# dedicated: one host CPU per vCPU, distinct
pins=$(sed -n 's/.*<vcpupin vcpu="[0-9]*" cpuset="\([0-9]*\)"\/>.*/\1/p' "$TMP/out-dir/small.xml" | sort -u | wc -l)
[ "$pins" = 2 ] && ok || bad "small.xml: $pins distinct single-CPU pins, want 2"
# stdout: each domain in turn, the refused VM as a comment saying why
run_np plan --sysroot "$XEON" --emit libvirt "$TMP/vms.json"
if [ "$RC" = 0 ] && [ "$(grep -c '^<domain' "$TMP/out")" = 2 ] &&
   grep -q '^<!-- giant: not placed: needs 8.6 TiB' "$TMP/out"; then ok; else
	bad "stdout: exit $RC: $(grep -v '^ ' "$TMP/out" | head -5)"; fi

# hugepages where the host has them: cxl-memonly's node 2 (memory only)
echo '[{"name":"huge","vcpus":1,"memory_mib":1024,"hugepages":"2M"}]' >"$TMP/huge.json"
run_np plan --sysroot "$CXL" --allow-memory-only-nodes --emit libvirt "$TMP/huge.json"
sed -n '/<name>huge</,/<\/domain>/p' "$TMP/out" >"$TMP/huge-out.xml"
if grep -q '<page size="2048" unit="KiB"' "$TMP/huge-out.xml"; then ok; else
	bad "huge on cxl-memonly: no 2 MiB page element"; fi
sed -n '1,/<\/domain>/p' "$TMP/out" >"$TMP/first.xml"
validate "$TMP/first.xml" "cxl-memonly first domain"

# ---- --advise: numad's line, on dumps -------------------------------------
run_np plan --sysroot "$XEON" --advise 8:4096
[ "$RC" = 0 ] && grep -Eqx '[0-3]' "$TMP/out" && ok || bad "--advise 8:4096: exit $RC '$(cat "$TMP/out")'"
run_np plan --sysroot "$XEON" --advise 30:100000
[ "$RC" = 0 ] && grep -Eqx '[0-3](,[0-3])|[0-3]-[0-3]' "$TMP/out" && ok || bad "--advise 30:100000: exit $RC '$(cat "$TMP/out")'"
run_np plan --sysroot "$XEON" --advise 1.5:100
[ "$RC" = 0 ] && ok || bad "--advise 1.5:100 (numad's hundredths): exit $RC"
# memory-only nodes are not advised (numad would)
run_np plan --sysroot "$CXL" --advise 2:200000
[ "$RC" = 0 ] && [ "$(cat "$TMP/out")" = "0-1" ] && ok || bad "--advise 2:200000 on cxl-memonly: '$(cat "$TMP/out")', want 0-1"
expect_error 1 "^numaplace: plan: --advise 2:9000000: no set of nodes has 2 CPUs and 8.6 TiB free\$" \
	plan --sysroot "$XEON" --advise 2:9000000
expect_error 2 "^numaplace: plan: --advise: '0:64': expected CPUS\\[:MIB\\], e.g. 2:1024 \\(numad's form\\)\$" \
	plan --sysroot "$XEON" --advise 0:64
expect_error 2 "^numaplace: plan: --advise takes no VM file \\('$TMP/vms.json'\\)\$" \
	plan --sysroot "$XEON" --advise 2:64 "$TMP/vms.json"
summary
