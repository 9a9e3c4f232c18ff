/**
 * The closure tier alone: the rule-language suites again with generated code (src/rules/jit.ts) switched
 * off, so that both compilation tiers keep the same, tested semantics. (node --test runs each file in its
 * own process, so the switch does not leak into the other files.)
 */
import { setJit } from '../../src/rules/jit.js';

setJit(false);
await import('./semantics.test.js');
await import('./functions.test.js');
await import('./catch-compare.test.js');
await import('./examples.test.js');
