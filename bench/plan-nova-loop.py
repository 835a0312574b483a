#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How fast CPython walks the permutation loop of Nova's
numa_fit_instance_to_host() (nova/virt/hardware.py), to put a wall-clock
figure on the permutation counts bench/plan-compare reports.

The loop below has the shape of Nova's: itertools.permutations of the
host cells, per permutation a zip with the guest cells, the
(host cell id, guest cell id) pair looked up in not_fit_cache and
fit_cache, the guest cell's id overwritten by the host cell's on a fit,
as Nova does.  The cell check itself is a stub (Nova's
_numa_fit_instance_cell() is far slower, but the caches call it at most
once per pair).  The host: N cells, the first FIT of which fit, and a
guest of K cells: with FIT < K nothing fits and Nova walks all
P(N, K) permutations.  Timed over the first COUNT of them.

usage: plan-nova-loop.py [N K FIT COUNT]   (default 16 8 7 2000000)
"""
import itertools
import math
import sys
import time


class Cell:
    __slots__ = ("id",)

    def __init__(self, id_):
        self.id = id_


def fit_cell(host_cell, instance_cell, fit):
    if host_cell.id < fit:
        instance_cell.id = host_cell.id
        return instance_cell
    return None


def walk(host_cells, instance_cells, fit, count):
    not_fit_cache = set()
    fit_cache = set()
    walked = 0
    for host_cell_perm in itertools.islice(
            itertools.permutations(host_cells, len(instance_cells)), count):
        walked += 1
        chosen_instance_cells = []
        chosen_host_cells = []
        for host_cell, instance_cell in zip(host_cell_perm, instance_cells):
            cell_pair = (host_cell.id, instance_cell.id)
            if cell_pair in not_fit_cache:
                break
            if cell_pair in fit_cache:
                chosen_host_cells.append(host_cell)
                instance_cell.id = host_cell.id
                chosen_instance_cells.append(instance_cell)
                continue
            got_cell = fit_cell(host_cell, instance_cell, fit)
            if got_cell is None:
                not_fit_cache.add(cell_pair)
                break
            chosen_host_cells.append(host_cell)
            chosen_instance_cells.append(got_cell)
            fit_cache.add(cell_pair)
        if len(chosen_instance_cells) != len(host_cell_perm):
            continue
        return walked, True
    return walked, False


def main():
    args = [int(a) for a in sys.argv[1:]]
    if len(args) not in (0, 4) or (args and not 0 < args[1] <= args[0]):
        sys.exit("usage: plan-nova-loop.py [N K FIT COUNT]")
    n, k, fit, count = args or (16, 8, 7, 2000000)
    host_cells = [Cell(i) for i in range(n)]
    instance_cells = [Cell(i) for i in range(k)]
    t0 = time.perf_counter()
    walked, found = walk(host_cells, instance_cells, fit, count)
    dt = time.perf_counter() - t0
    total = math.perm(n, k)
    rate = walked / dt
    print(f"CPython {sys.version.split()[0]}: {walked} of P({n},{k}) = "
          f"{total:.3g} permutations in {dt:.2f} s, {rate / 1e6:.2f} M/s"
          f"{' (found a fit)' if found else ''}; all of them: "
          f"{total / rate:.3g} s")


if __name__ == "__main__":
    main()
