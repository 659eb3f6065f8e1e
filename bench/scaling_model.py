#!/usr/bin/env python3
"""Iteration time of data-parallel training across hosts, modelled (docs/scaling.md).

From what was measured on one host: the compute time of one iteration of the 64x64 model at
a given per-host batch (bench/mpi.sh), and what one iteration sends: three gradient
all-reduces (D once, G twice: the reference's schedule) of the networks' parameter counts,
and the synchronised batch norm's small all-reduces (60 per iteration for the 64x64 model:
docs/scaling.md counts them).

Ring all-reduce of S bytes over p hosts on links of bandwidth W bytes/s and latency a:
    2 (p-1)/p * S / W  +  2 (p-1) a
Small all-reduces (batch-norm sums, a few KB): recursive doubling, ceil(log2 p) rounds of a
(plus their bytes, negligible). Gradients are not overlapped with compute in the model (the
measured overlap is small: docs/scaling.md says why), so this is an upper bound.

Two ways to add hosts:
  weak:   every host keeps the per-host batch (the global batch grows with p): images/s;
  strong: the global batch stays (64, the reference's) and is split over the hosts: the
          compute per host shrinks as 1/p (linear in the batch: optimistic for tiny batches).

usage: bench/scaling_model.py --compute-s 1.65 [--batch 64] [--g-params N] [--d-params N]
       [--bn-collectives 60] [--host-speedup 1] [--markdown]
Pure Python, no dependencies.
"""
import argparse
import math


def allreduce_s(nbytes, p, bw, lat):
    if p == 1:
        return 0.0
    return 2 * (p - 1) / p * nbytes / bw + 2 * (p - 1) * lat


def small_allreduce_s(p, lat):
    return 0.0 if p == 1 else math.ceil(math.log2(p)) * lat


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compute-s", type=float, required=True,
                    help="measured seconds of compute per iteration on one host at --batch")
    ap.add_argument("--batch", type=int, default=64, help="per-host batch of --compute-s (64)")
    ap.add_argument("--g-params", type=int, default=5135363, help="G's parameters (64x64 model)")
    ap.add_argument("--d-params", type=int, default=4316545, help="D's parameters (64x64 model)")
    ap.add_argument("--bn-collectives", type=int, default=60,
                    help="synchronised batch-norm all-reduces per iteration (60)")
    ap.add_argument("--host-speedup", type=float, default=1.0,
                    help="hosts this many times faster than the measured one")
    ap.add_argument("--hosts", default="1,2,4,8,16,32,64")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()

    links = [("10 Gbit/s", 10e9 / 8, 20e-6), ("100 Gbit/s", 100e9 / 8, 5e-6)]
    sizes = [4 * a.d_params, 4 * a.g_params, 4 * a.g_params]  # bytes of the 3 all-reduces
    tc = a.compute_s / a.host_speedup
    hosts = [int(h) for h in a.hosts.split(",")]

    def comm(p, bw, lat):
        grads = sum(allreduce_s(s, p, bw, lat) for s in sizes)
        return grads + a.bn_collectives * small_allreduce_s(p, lat)

    print(f"compute per iteration on one host at batch {a.batch}: {tc:.3f} s; gradients sent per "
          f"iteration: {sum(sizes) / 1e6:.1f} MB in 3 all-reduces, {a.bn_collectives} batch-norm all-reduces")
    for name, bw, lat in links:
        print()
        print(f"{name} links, latency {lat * 1e6:.0f} us:")
        if a.markdown:
            print("| hosts | weak: s/iter | weak: img/s | weak: efficiency | strong (global 64): s/iter | strong: speed-up |")
            print("|---:|---:|---:|---:|---:|---:|")
        best_strong = None
        strong_at = {}
        for p in hosts:
            c = comm(p, bw, lat)
            weak = tc + c
            strong = tc / p * (64 / a.batch) + c
            one = tc * 64 / a.batch
            strong_at[p] = strong
            if best_strong is None or strong < best_strong[1]:
                best_strong = (p, strong)
            row = (p, weak, p * a.batch / weak, tc / weak, strong, one / strong)
            if a.markdown:
                print("| %d | %.3f | %.0f | %.0f%% | %.3f | %.1fx |" % (row[0], row[1], row[2], 100 * row[3], row[4], row[5]))
            else:
                print("  %3d hosts: weak %.3f s/iter %7.0f img/s %4.0f%%   strong %.3f s/iter %5.1fx" % row)
        print(f"strong scaling is fastest at {best_strong[0]} hosts ({best_strong[1]:.3f} s/iter)")
        stop = next((p for p in hosts if 2 * p in strong_at and strong_at[p] / strong_at[2 * p] < 1.2), None)
        if stop:
            print(f"stops paying: doubling from {stop} to {2 * stop} hosts gains less than 1.2x "
                  f"({strong_at[stop] / strong_at[2 * stop]:.2f}x)")
        else:
            print("every doubling up to %d hosts still gains 1.2x or more" % hosts[-1])


if __name__ == "__main__":
    main()
