/** Public API of the evaluation engine (docs/engine.md). */
export { evaluate } from './evaluate.js';
export { buildRoots } from './roots.js';
export { rollbackAll, rollbackReturned, netEffects, isRollback, DISCOUNT_EFFECTS, type ReturnedUnits } from './rollback.js';
export { toWire, fromWire, failureToWire, type WireEffect } from './wire.js';
export { inSchedule, isEnabled } from './select.js';
export type * from './types.js';
