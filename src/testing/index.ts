/**
 * @file `tessera/testing`: gradient checking and fast-check arbitraries for property tests.
 */
export { checkGrads, GradCheckError, type CheckGradsOptions } from "./checkGrads.js";
export { arrays, broadcastShapePairs, shapes, type ArrayOptions, type ShapeOptions } from "./arbitraries.js";
export { gradProperty } from "./properties.js";
