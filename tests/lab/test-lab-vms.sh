#!/bin/sh
# numaplace vms and apply on a real QEMU inside a 4-node lab guest (the
# guest's half is guest-vms.sh): a paused QEMU with 2 vCPUs and 256 MiB
# preallocated on node 0 is found through QMP and through its thread
# names with all its guest RAM on node 0; apply --nodes 2 pins its vCPU
# threads to node 2's CPUs and moves every page there (the report's
# before and after, numa_maps and vms agree); at 64 MiB/s in 10 ms
# batches with hot-first, the part np-vms-writer keeps writing moves
# first; a QEMU killed mid-apply ends it with exit 1 and a partial
# report; a PID that is not QEMU and a node outside the cpuset are
# refused with one line.
set -u
. "$(dirname "$0")/../cli/lib.sh"
WRITER=${NP_VMS_WRITER:?NP_VMS_WRITER must name np-vms-writer}
export NUMAPLACE_CACHE_DIR=${NP_LAB_CACHE:-$TMP/cache}
exec </dev/null

. "$(dirname "$0")/lab-qemu.sh"
missing=$(lab_qemu_missing)
if [ -n "$missing" ]; then
	echo "$missing: skipping"
	exit 77
fi

# 512 MiB per node: 256 MiB of guest RAM fits on one beside the guest's own
run_np lab --nodes 2:512M,2:512M,2:512M,2:512M \
	--distances '10,21,21,21;21,10,21,21;21,21,10,21;21,21,21,10' \
	--timeout 300 $QEMU_ADDS \
	--add "$WRITER" \
	--add "$SRC/tests/lab/guest-vms.sh" -- guest-vms.sh
if [ "$RC" != 0 ] || ! grep -qx -- '--- end' "$TMP/out"; then
	bad "lab exited $RC: $(tail -20 "$TMP/out") $(tail -5 "$TMP/err")"
	summary
	exit 1
fi

python3 - "$TMP/out" >"$TMP/checks" <<'PY'
import json, re, sys

sec, name = {}, None
for line in open(sys.argv[1]).read().splitlines():
    if line.startswith('--- '):
        name = line[4:]
        sec[name] = []
    elif name:
        sec[name].append(line)

def text(n):
    return '\n'.join(sec.get(n, []))

def js(n):
    t = text(n)
    return json.loads(t[:t.rindex('}') + 1])

def check(ok, what):
    print('ok' if ok else 'FAIL: ' + what.replace('\n', ' | ')[:1500])

def tail_rc(n):
    m = [l for l in sec.get(n, []) if l.startswith('rc=')]
    return m[-1] if m else None

MIB = 1 << 20
PAGES = 256 * MIB // 4096
NODE_CPUS = {0: [0, 1], 1: [2, 3], 2: [4, 5], 3: [6, 7]}

# a: found through QMP and through thread names, all on node 0
try:
    q = js('a-vms-qmp')['vms'][0]
    t = js('a-vms-threads')['vms'][0]
    check(q['vcpus_from'] == 'qmp' and t['vcpus_from'] == 'threads',
          'vCPUs from %s / %s' % (q['vcpus_from'], t['vcpus_from']))
    check(sorted(v['thread'] for v in q['vcpus']) ==
          sorted(v['thread'] for v in t['vcpus']) and len(q['vcpus']) == 2,
          'QMP and thread names disagree: %s %s' % (q['vcpus'], t['vcpus']))
    check(q['ram_nodes'] == [{'node': 0, 'bytes': 256 * MIB}] and
          q['ram'][0]['backend'] == 'ram0' and
          q['ram'][0]['backend_policy'] == 'bind',
          'guest RAM before: %s' % q['ram'])
    check(t['ram_nodes'] == q['ram_nodes'], 'threads: %s' % t['ram_nodes'])
    # vCPUs float over all 8 CPUs: their node is where they last ran
    want = 'local' if set(q['vcpu_nodes']) == {0} else 'remote'
    check(q['verdict'] == want, 'verdict %s, vCPUs on %s' %
          (q['verdict'], q['vcpu_nodes']))
    check(re.search(r'^VM a \(PID \d+\): (local|remote): ', text('a-vms-text'), re.M)
          is not None, 'vms text: ' + text('a-vms-text'))
    a = js('a-apply')
    check(tail_rc('a-apply') == 'rc=0', 'apply: ' + text('a-apply')[-400:])
    m = a['move']
    check(m['before'] == [{'node': 0, 'pages': PAGES}], 'before %s' % m['before'])
    check(m['after'] == [{'node': 2, 'pages': PAGES}], 'after %s' % m['after'])
    check(m['pages_moved'] > PAGES * 9 // 10 and m['pages_to_move'] == PAGES,
          'moved %s of %s' % (m['pages_moved'], m['pages_to_move']))
    # move_pages may call a page busy that still ends on its node (the
    # note says so): what counts is where numa_maps puts them afterwards
    check(a['off_target_pages_after'] == 0, 'off target %s (failed %s)' %
          (a['off_target_pages_after'], m['failed']))
    check(m['hot_source'] == 'none', 'address order: hot source %s' % m['hot_source'])
    vp = [p for p in a['pins'] if p['vcpu'] is not None]
    check(len(vp) == 2 and all(p['after'] == NODE_CPUS[2] for p in a['pins']),
          'pins %s' % a['pins'])
    check(sorted(sec['a-threads']) == ['CPU 0/TCG: 4-5', 'CPU 1/TCG: 4-5'],
          'threads %s' % sec['a-threads'])
    nm = text('a-numa_maps')
    check(re.search(r' N2=%d ' % PAGES, nm) is not None and
          not re.search(r' N[013]=', nm), 'numa_maps ' + nm)
    after = js('a-vms-after')['vms'][0]
    check(after['ram_nodes'] == [{'node': 2, 'bytes': 256 * MIB}] and
          after['verdict'] == 'local' and after['vcpu_nodes'] == [2],
          'vms after: %s %s' % (after['ram_nodes'], after['verdict']))
except (KeyError, ValueError, IndexError, TypeError) as e:
    check(False, 'a: %r: %s' % (e, text('a-apply')[-600:]))

# b: hot-first at 64 MiB/s in 10 ms batches
try:
    b = js('b-apply')
    m = b['move']
    start = int(text('b-start'), 16)
    lo, hi = start + 192 * MIB, start + 200 * MIB
    check(tail_rc('b-apply') == 'rc=0', 'b: ' + text('b-apply')[-400:])
    check(m['hot_source'] == 'soft-dirty', 'hot source %s' % m['hot_source'])
    check(m['pages_hot'] >= 8 * MIB // 4096, 'hot pages %d' % m['pages_hot'])
    first = [int(x, 16) for x in m['first_moved']]
    check(len(first) == 64 and all(lo <= x < hi for x in first),
          'first moved not in the hot 8 MiB [%x, %x): %s' %
          (lo, hi, m['first_moved'][:8]))
    # the rate bounds a batch: 64 MiB/s x 10 ms
    cap = 64 * MIB // 100
    check(m['batch_bytes_cap'] == cap and m['batch_bytes_max'] <= cap and
          m['batches'] >= (256 * MIB) // cap,
          'batches %d, largest %d bytes, cap %d bytes (want %d)' %
          (m['batches'], m['batch_bytes_max'], m['batch_bytes_cap'], cap))
    check(m['after'] == [{'node': 3, 'pages': PAGES}] and
          b['off_target_pages_after'] == 0, 'b after %s, off target %s' %
          (m['after'], b['off_target_pages_after']))
except (KeyError, ValueError, IndexError, TypeError) as e:
    check(False, 'b: %r: %s' % (e, text('b-apply')[-600:]))

# c: QEMU killed mid-apply
try:
    check(text('c-rc') == 'rc=1', 'c: ' + text('c-rc'))
    err = sec.get('c-err', [])
    check(len(err) == 1 and 'exited' in err[0], 'c stderr %s' % err)
    c = js('c-out')
    check(c['exited'] and c['move'] is not None and
          0 < c['move']['pages_moved'] < PAGES,
          'c partial report: exited %s moved %s' %
          (c['exited'], c['move'] and c['move']['pages_moved']))
except (KeyError, ValueError, IndexError, TypeError) as e:
    check(False, 'c: %r: %s %s' % (e, text('c-out')[-400:], text('c-err')))

d = sec.get('d', [])
check(len(d) == 2 and re.match(r'numaplace: apply: process \d+ \(\S+\) is not QEMU$', d[0])
      is not None and d[1] == 'rc=2', 'd: %s' % d)
check(text('e-mems') == '0-1', 'e: cpuset.mems %s' % text('e-mems'))
e = sec.get('e', [])
check(len(e) == 2 and re.match(r'numaplace: apply: node 2 is outside the cpuset of process \d+ \(cpuset.mems 0-1\)', e[0])
      is not None and e[1] == 'rc=2', 'e: %s' % e)
# refused before anything was touched
check(sorted(sec.get('e-threads', [])) == ['CPU 0/TCG: 0-7', 'CPU 1/TCG: 0-7'],
      'e threads %s' % sec.get('e-threads'))
PY
while read -r line; do
	case $line in
	ok) ok ;;
	*) bad "${line#FAIL: }" ;;
	esac
done <"$TMP/checks"
summary
