import { afterEach, describe, expect, it } from "vitest";
import { config, FloatingPointError, jit, np } from "../../src/index.js";

describe("config.debugNans", () => {
  afterEach(() => {
    config.debugNans(false);
  });

  it("is off by default: NaN flows through as IEEE says", () => {
    expect(Number.isNaN(np.sqrt(np.array(-1)).item() as number)).toBe(true);
  });

  it("names the first primitive that produces a NaN, eagerly", () => {
    config.debugNans(true);
    expect(() => np.log(np.array([-1, 2]))).toThrow(FloatingPointError);
    expect(() => np.log(np.array([-1, 2]))).toThrow(/log: produced NaN.*float32\[2\] \[-1,2\]/);
    // NaN already in the inputs is not the primitive's fault.
    expect(() => np.add(np.array([NaN]), 1)).not.toThrow();
  });

  it("locates the NaN inside jit", () => {
    const f = jit((x: np.Array) => np.sqrt(x.sub(3)).add(1));
    expect(() => f(np.array([1, 4]))).not.toThrow(); // off: NaN result allowed
    config.debugNans(true);
    expect(() => f(np.array([1, 4]))).toThrow(/sqrt: produced NaN/);
  });
});

describe("runtime controls from the root module", () => {
  it("jitStats counts what a compiled call ran; configureWorkers / warmUpWorkers size the pool", async () => {
    const { jitStats, resetJitStats, configureWorkers, warmUpWorkers } = await import("../../src/index.js");
    const f = jit((x: np.Array) => np.exp(x).mul(2).sum());
    const x = np.ones([1000]);
    f(x);
    resetJitStats();
    f(x);
    expect(jitStats().kernelLaunches).toBe(1);
    expect(jitStats().allocations).toBe(1);
    configureWorkers({ threads: 0 });
    try {
      expect(await warmUpWorkers(1000)).toBe(0);
    } finally {
      configureWorkers({ threads: 1 });
    }
    expect(await warmUpWorkers()).toBe(1);
  });
});
