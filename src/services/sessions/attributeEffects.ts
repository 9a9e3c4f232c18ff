/**
 * `set` effects (the rule function updateAttribute) write session and profile attributes. They apply
 * on every evaluation and are never rolled back (docs/sessions.md, "What a session commits, and when").
 * The checker already verified at save time that the path is a writable slot and the value's kind.
 */
import type { Effect } from '../../domain/effect.js';

const SESSION_ROOTS = new Set(['Session', 'CustomerSession']);
const PROFILE_ROOTS = new Set(['Profile', 'CustomerProfile']);

export interface AttributeWrites { session: Record<string, unknown>; profile: Record<string, unknown> }

export function attributeWrites(effects: readonly Effect[]): AttributeWrites {
  const writes: AttributeWrites = { session: {}, profile: {} };
  for (const e of effects) {
    if (e.effectType !== 'set' || typeof e.props.path !== 'string') continue;
    const [root, attributes, name, ...rest] = e.props.path.split('.');
    if (attributes !== 'Attributes' || !name || rest.length > 0) continue;
    // defineProperty: a `__proto__` attribute name stays an own, plain key
    const target = SESSION_ROOTS.has(root) ? writes.session : PROFILE_ROOTS.has(root) ? writes.profile : null;
    if (target) Object.defineProperty(target, name, { value: e.props.value, enumerable: true, writable: true, configurable: true });
  }
  return writes;
}
