/**
 * @file The typed errors Tessera throws. Messages lead with the function name, then what was
 * received and what would be valid, so that the fix is in the message.
 */

/** Base class: every Tessera error names the function that raised it. */
export class TesseraError extends Error {
  constructor(
    /** The public function that rejected its input. */
    readonly fn: string,
    message: string,
  ) {
    super(`${fn}: ${message}`);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (broadcasting, reshape, matmul, concatenate ...). */
export class ShapeError extends TesseraError {}

/** A dtype the function does not accept. */
export class DTypeError extends TesseraError {}

/** A bad non-array argument: an axis out of range, a negative size, an unknown option. */
export class ValueError extends TesseraError {}

/** An index outside the array. */
export class IndexError extends TesseraError {}

/** A traced value was used where a concrete JS value is needed (e.g. `if (x.item() > 0)` inside `jit`). */
export class ConcretizationError extends TesseraError {}

/** A tracer escaped the transformation that created it and was used after it ended. */
export class UnexpectedTracerError extends TesseraError {}

/** A NaN was produced while `config.debugNans` is on. */
export class FloatingPointError extends TesseraError {}

/** Two pytrees were expected to have the same structure and do not. */
export class TreeMismatchError extends TesseraError {}

/** A transformation hit a primitive that lacks the rule it needs (e.g. a transpose rule). */
export class MissingRuleError extends TesseraError {}

/** Format a shape the way messages print it: `[3,4]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
