/**
 * @file Timing helpers for the benchmark suite: median of repeated runs, per-call cost of fast
 * operations (timed in batches so the clock's resolution does not dominate), and table printing.
 */
export { medianMs, machineDescription, type TimingOptions } from "./matmul-kernels.js";

/** Median cost in microseconds of one call of `fn`, timing batches of `inner` calls. */
export function perCallUs(fn: () => unknown, inner = 10000, rounds = 15): number {
  for (let i = 0; i < inner; i++) fn(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    times.push(((performance.now() - t0) * 1000) / inner);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** Async variant of {@link perCallUs} for peers whose results must be awaited. */
export async function perCallUsAsync(fn: () => Promise<unknown>, inner = 2000, rounds = 9): Promise<number> {
  for (let i = 0; i < Math.min(inner, 500); i++) await fn();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await fn();
    times.push(((performance.now() - t0) * 1000) / inner);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** One benchmark result row. */
export interface Row {
  /** Section and case, e.g. "dispatch: add f32[4]". */
  name: string;
  /** Unit of the values. */
  unit: string;
  /** Our figure. */
  tessera?: number;
  /** Peer figures by name (undefined when unavailable). */
  peers: Record<string, number | undefined>;
  /** Whether larger is better (GFLOP/s) or smaller (µs, ms). */
  higherIsBetter?: boolean;
  /** Free-form note. */
  note?: string;
}

const fmt = (v: number | undefined) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** Print rows as an aligned table with "how many times better than each peer" ratios. */
export function printRows(rows: readonly Row[]): void {
  const peerNames = [...new Set(rows.flatMap((r) => Object.keys(r.peers)))];
  const head = ["benchmark", "unit", "tessera", ...peerNames.flatMap((p) => [p, `× vs ${p}`])];
  const body = rows.map((r) => [
    r.name,
    r.unit,
    fmt(r.tessera),
    ...peerNames.flatMap((p) => {
      const v = r.peers[p];
      const ratio = v === undefined || r.tessera === undefined ? undefined : r.higherIsBetter ? r.tessera / v : v / r.tessera;
      return [fmt(v), ratio === undefined ? "—" : `${ratio.toFixed(2)}x`];
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(head));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.note) console.log(`  note: ${r.name}: ${r.note}`);
}
