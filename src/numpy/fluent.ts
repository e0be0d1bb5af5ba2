/**
 * @file Installs the fluent methods of `Array` (`x.add(y)`, `x.sum(0)`, `x.reshape(2, 3)`, ...).
 *
 * `core/array.ts` cannot import the NumPy layer (that would be an import cycle), so its methods
 * call a late-bound table; this module fills that table from the NumPy functions when it is
 * loaded. `numpy/index.ts` imports it for this side effect.
 */
import { installFluentOps, type FluentOps } from "../core/array.js";
import { at, slice } from "./indexing.js";
import { dot, matmul } from "./linalg.js";
import * as m from "./math.js";
import { toString } from "./print.js";
import * as r from "./reductions.js";
import * as s from "./shape.js";

/** The table behind the fluent methods. */
const fluentOps: FluentOps = {
  add: m.add,
  subtract: m.subtract,
  multiply: m.multiply,
  divide: m.divide,
  power: m.power,
  mod: m.mod,
  maximum: m.maximum,
  minimum: m.minimum,
  equal: m.equal,
  notEqual: m.notEqual,
  less: m.less,
  lessEqual: m.lessEqual,
  greater: m.greater,
  greaterEqual: m.greaterEqual,
  negative: m.negative,
  abs: m.abs,
  exp: m.exp,
  log: m.log,
  sqrt: m.sqrt,
  square: m.square,
  sin: m.sin,
  cos: m.cos,
  tanh: m.tanh,
  clip: m.clip,
  matmul,
  dot,
  sum: r.sum,
  prod: r.prod,
  mean: r.mean,
  var: r.var_,
  std: r.std,
  max: r.max,
  min: r.min,
  all: r.all,
  any: r.any,
  argmax: r.argmax,
  argmin: r.argmin,
  cumsum: (x, axis) => r.cumsum(x, axis),
  reshape: s.reshape,
  transpose: s.transpose,
  ravel: s.ravel,
  squeeze: s.squeeze,
  expandDims: s.expandDims,
  astype: s.astype,
  slice,
  at,
  toString: (x) => toString(x),
};

installFluentOps(fluentOps);
