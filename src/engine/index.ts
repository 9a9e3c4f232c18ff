/** Public API of the evaluation engine (docs/engine.md). */
export { evaluate, defaultIds } from './evaluate.js';
export { buildRoots, flatten, toValue } from './roots.js';
export { normalizeCode } from './coupons.js';
export { rollbackAll, rollbackReturned, rollbackDiscountProps, netEffects, isRollback, DISCOUNT_EFFECTS, type ReturnedUnits } from './rollback.js';
export { toWire, fromWire, failureToWire, jsonValue, type WireEffect, type Json } from './wire.js';
export { selectCampaigns, inSchedule, isEnabled } from './select.js';
export type * from './types.js';
