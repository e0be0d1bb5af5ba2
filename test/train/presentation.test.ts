/**
 * @file Training-loop presentation: the per-epoch progress display and the history SVG chart.
 */

import { Writable } from "node:stream";

import { describe, expect, test } from "vitest";

import { renderHistorySvg } from "../../src/train/chart.js";
import { createProgress, formatBar, formatDuration, formatValue } from "../../src/train/progress.js";

/** A writable that records what is written; `tty` makes it look like a terminal to the display. */
function sink(tty = false): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string; isTTY?: boolean; columns?: number };
  if (tty) {
    w.isTTY = true;
    w.columns = 200;
  }
  w.text = () => chunks.join("");
  return w;
}

/** A clock the test advances by hand, so throughput and ETA are exact. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe("train progress", () => {
  test("quiet mode writes nothing", () => {
    for (const tty of [false, true]) {
      const out = sink(tty);
      const p = createProgress({ total: 10, epoch: 1, epochs: 2, quiet: true, stream: out });
      p.update(5, { loss: 1 });
      p.finish({ loss: 0.5 });
      expect(out.text()).toBe("");
    }
  });

  test("off a TTY: exactly one summary line per epoch, written at finish", () => {
    const out = sink(false);
    const clock = manualClock();
    const p = createProgress({ total: 1875, epoch: 3, epochs: 10, stream: out, batchSize: 32, clock: clock.now });
    for (let s = 1; s <= 1875; s++) {
      clock.advance(2);
      p.update(s, { loss: 0.5, accuracy: 0.9 });
    }
    expect(out.text()).toBe(""); // no redraws in logs
    p.finish({ loss: 0.1234, accuracy: 0.965, val_loss: 0.2, val_accuracy: 0.95 });
    // 60000 examples in 3.75 s = 16000 ex/s.
    expect(out.text()).toBe(
      "Epoch 3/10 1875/1875 - loss: 0.1234 - accuracy: 0.9650 - val_loss: 0.2000 - val_accuracy: 0.9500" +
        " - 16000 ex/s - 4s\n",
    );
    p.finish({ loss: 0 });
    p.update(1, { loss: 0 });
    expect(out.text().split("\n").length).toBe(2); // later calls are ignored
  });

  test("on a TTY: a live Keras-style bar with metrics, examples/s and ETA, then the final line", () => {
    const out = sink(true);
    const clock = manualClock();
    const p = createProgress({ total: 1875, epoch: 3, epochs: 10, stream: out, batchSize: 32, clock: clock.now });
    clock.advance(2500);
    p.update(1200, { loss: 0.1234, accuracy: 0.965 });
    // update() redraws at most 5 times a second, so the mid-epoch line shows on the next redraw;
    // finish() always draws. Both are checked on the stream's text.
    p.finish({ loss: 0.1, accuracy: 0.97 });
    const text = out.text();
    expect(text).toContain("Epoch 3/10 [==============================] 1875/1875 - loss: 0.1000 - accuracy: 0.9700");
    expect(text.endsWith("\n")).toBe(true);
  });

  test("on a TTY the running line has the bar head, ETA and throughput", async () => {
    const out = sink(true);
    const clock = manualClock();
    const p = createProgress({ total: 1875, epoch: 3, epochs: 10, stream: out, batchSize: 32, clock: clock.now });
    clock.advance(2500);
    p.update(1200, { loss: 0.1234, accuracy: 0.965 });
    // A synchronous update() redraws at most every 200 ms; the bar's own timer redraws the latest
    // state within 100 ms, so wait for it rather than depend on the throttle window.
    await new Promise((r) => setTimeout(r, 250));
    // 38400 examples in 2.5 s = 15360 ex/s; 675 steps left at 2.5/1200 s per step ≈ 1.4 s.
    expect(out.text()).toContain(
      `Epoch 3/10 [${"=".repeat(18)}>${".".repeat(11)}] 1200/1875 - loss: 0.1234 - accuracy: 0.9650 - 15360 ex/s - ETA: 1s`,
    );
    p.finish({ loss: 0.1 });
  });

  test("formatting helpers follow Keras's conventions", () => {
    expect(formatBar(0, 10)).toBe(".".repeat(30));
    expect(formatBar(5, 10)).toBe("=".repeat(14) + ">" + ".".repeat(15));
    expect(formatBar(10, 10)).toBe("=".repeat(30));
    expect(formatDuration(2.4)).toBe("2s");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
    expect(formatValue(0.12344)).toBe("0.1234");
    expect(formatValue(0.00001234)).toBe("1.2340e-5");
    expect(formatValue(NaN)).toBe("nan");
  });

  test("bad options are clear errors", () => {
    expect(() => createProgress({ total: -1, epoch: 1, epochs: 1 })).toThrow(/createProgress: total must be/);
    expect(() => createProgress({ total: 5, epoch: 3, epochs: 2 })).toThrow(/createProgress: epoch must be/);
  });
});

describe("train history chart", () => {
  const history = {
    loss: [0.9, 0.5, 0.3, 0.25],
    accuracy: [0.7, 0.85, 0.9, 0.93],
    val_loss: [0.8, 0.55, 0.4, 0.38],
    val_accuracy: [0.72, 0.83, 0.88, 0.9],
  };

  test("renders a well-formed SVG document naming every series", async () => {
    const svg = await renderHistorySvg(history, { title: "MNIST MLP" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    for (const name of ["MNIST MLP", "loss", "accuracy", "val_loss", "val_accuracy"]) expect(svg).toContain(name);
    expect(svg).toMatch(/<path[^>]*stroke-dasharray/); // validation curves are dashed
  });

  test("train-only history, NaN epochs and escaping of the title", async () => {
    const svg = await renderHistorySvg({ loss: [1, NaN, 0.5] }, { title: "a < b & c" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("a &lt; b &amp; c");
    expect(svg).not.toContain("a < b");
    expect(svg).not.toContain("NaN");
  });

  test("an empty history still gives a valid SVG; a malformed one is a clear error", async () => {
    const svg = await renderHistorySvg({});
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("no data");
    await expect(renderHistorySvg({ loss: ["x" as unknown as number] })).rejects.toThrow(
      /renderHistorySvg: history\["loss"\] must be an array of numbers/,
    );
  });
});
