/**
 * @file `npm run bench`: every benchmark section in one run, our figures beside TensorFlow.js and
 * jax-js measured in the same process, as ratios. Prints the machine and writes
 * `bench/results.json`. Pass section names to run a subset (`npm run bench -- dispatch matmul`).
 */
import { writeFileSync } from "node:fs";
import { machineDescription, printRows, type Row } from "./timing.js";

const sections: Record<string, () => Promise<{ run: () => Promise<Row[]> }>> = {
  dispatch: () => import("./sections/dispatch.js"),
  matmul: () => import("./sections/matmul.js"),
  mlp: () => import("./sections/mlp.js"),
  fused: () => import("./sections/fused.js"),
  conv: () => import("./sections/conv.js"),
  mnist: () => import("./sections/mnist.js"),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const names = wanted.length > 0 ? wanted : Object.keys(sections);
  console.log(`Tessera benchmarks — ${machineDescription()} — ${new Date().toISOString()}`);
  console.log("Ratios are how many times better Tessera is than the peer (>1 = Tessera faster).\n");
  const all: Row[] = [];
  for (const n of names) {
    const load = sections[n];
    if (!load) throw new Error(`unknown section ${n}; known: ${Object.keys(sections).join(", ")}`);
    console.log(`## ${n}`);
    const rows = await (await load()).run();
    printRows(rows);
    console.log("");
    all.push(...rows);
  }
  writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify({ machine: machineDescription(), date: new Date().toISOString(), rows: all }, null, 2));
  console.log("wrote bench/results.json");
}

main().then(
  () => process.exit(0), // peers keep handles (workers, timers) open; ours never do
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
