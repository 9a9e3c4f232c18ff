/** Public API of the rule language. */
export * from './contract.js';
export { compileRuleset, validateRuleset, RulesetValidationError } from './compile.js';
