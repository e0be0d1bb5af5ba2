/**
 * @file Tessera's public entry point: the `Array` type, the NumPy and lax namespaces, the
 * transformations (grad, vmap, jit, ...), pytrees, and fp-ts's `pipe`/`flow` for point-free
 * composition (`pipe(loss, grad, jit)`).
 */
export { Array, type ArrayLike, type Index, type AtUpdate, type ShapedArray, type ReduceOptions } from "./core/array.js";
export type { DType, TypedArray } from "./core/dtype.js";
export type { Shape } from "./core/shape.js";
export {
  TesseraError,
  ShapeError,
  DTypeError,
  ValueError,
  IndexError,
  ConcretizationError,
  UnexpectedTracerError,
  TreeMismatchError,
  MissingRuleError,
  FloatingPointError,
} from "./core/errors.js";
export { config } from "./core/config.js";
export * as numpy from "./numpy/index.js";
export * as np from "./numpy/index.js";
export * as lax from "./lax/index.js";
export * as tree from "./tree.js";
export {
  jvp,
  linearize,
  vjp,
  grad,
  valueAndGrad,
  jacfwd,
  jacrev,
  jacobian,
  hessian,
  stopGradient,
  customJvp,
  customVjp,
  checkpoint,
  type GradOptions,
  type JacOptions,
  type AnyFn,
} from "./transforms/autodiff.js";
export { vmap, type AxisSpec, type VmapOptions } from "./transforms/vmap.js";
export { jit, makeJaxpr, evalShape, type JitOptions, type Jitted, type CacheInfo, type ShapeDtypeStruct } from "./transforms/jit.js";
export { ClosedJaxpr, Jaxpr } from "./ir/jaxpr.js";
export { jitStats, resetJitStats, type JitStats } from "./jit/memory.js";
export { configureWorkers, warmUpWorkers, type WorkerPoolOptions } from "./backend/workers.js";
export * as random from "./random/index.js";
export * as nn from "./nn/index.js";
export * as losses from "./losses.js";
export * as metrics from "./metrics.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as train from "./train/index.js";
export { pipe, flow } from "fp-ts/lib/function.js";
