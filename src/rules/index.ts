/** Public API of the rule language. */
export * from './contract.js';
export { compileRuleset, compileExpression, validateRuleset, RulesetValidationError } from './compile.js';
export { functionReference, lookupFunction, type FunctionDef, type FuncArgDef } from './registry.js';
export { slots, type SlotDef } from './model.js';
export { RuleEvalError, StepBudgetError } from './values.js';
