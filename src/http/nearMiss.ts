/**
 * Near misses: an unknown property of a request body that is a known one misspelled (another case, or one
 * edit away) is an error naming both; any other unknown property is ignored, as clients may send newer
 * fields (docs/errors.md, "Unknown fields"). The check is compiled once per body schema into a tree that
 * mirrors it, so a request costs one lookup per property of the objects whose schema lists properties.
 */
import { pointerKey } from '../domain/errors.js';

/** One near miss, in the shape of an Ajv error so that it travels with the schema's own errors. */
interface NearMiss {
  keyword: 'nearMiss';
  instancePath: string;
  schemaPath: string;
  params: { unknown: string; known: string };
  message: string;
}

interface Node {
  /** the listed properties, each with the node of its value (null: nothing to check inside) */
  props?: Map<string, Node | null>;
  items?: Node;
}

/** What a body held beyond its schema: near misses (errors) and other unknown fields (ignored, logged). */
export interface Unknowns { misses: NearMiss[]; ignored: string[] }

/** Free-form maps whose keys are data, never checked against anything (docs/attributes.md). */
const FREE_FORM = new Set(['attributes']);

/**
 * Talon.One fields one edit from a sibling OpenPromo lists but not read by OpenPromo: a valid request, never
 * a near miss. Talon.One's 25.17 schemas have one such pair in a request body, CartItem's `price` and `prices`.
 */
const TALON_SIBLINGS = new Set(['prices']);

/** Names shorter than this match only case-insensitively: one edit turns a short name into another word. */
const MIN_EDIT_LENGTH = 4;

/** Damerau–Levenshtein (optimal string alignment) distance at most 1. */
function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (i === la && i === lb) return true;
  if (la === lb) {
    // one substitution, or two neighbours swapped
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  // one insertion or deletion
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** The known property an unknown one misspells, if any. */
function nearestKnown(unknown: string, known: Iterable<string>): string | undefined {
  const u = unknown.toLowerCase();
  let edit: string | undefined;
  for (const k of known) {
    const l = k.toLowerCase();
    if (l === u) return k;
    if (edit === undefined && k.length >= MIN_EDIT_LENGTH && u.length >= MIN_EDIT_LENGTH && withinOneEdit(u, l)) edit = k;
  }
  return edit;
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The checker of one body schema, or undefined when nothing in it lists properties. `resolve` gives a
 * registered schema by its `$id` (references are followed; a recursive one is checked to the depth it
 * was already built).
 */
export function compileNearMiss(schema: object, resolve: (id: string) => object | undefined): ((data: unknown) => Unknowns | undefined) | undefined {
  const built = new Map<object, Node | null>();

  const branches = (s: Schema): Schema[] => {
    const out: Schema[] = [];
    const visit = (x: unknown, depth: number) => {
      if (!isSchema(x) || depth > 20) return;
      if (typeof x.$ref === 'string') {
        const target = resolve(x.$ref);
        if (target) visit(target, depth + 1);
      }
      out.push(x);
      for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
        const list = x[k];
        if (Array.isArray(list)) for (const b of list) visit(b, depth + 1);
      }
    };
    visit(s, 0);
    return out;
  };

  const build = (s: unknown): Node | null => {
    if (!isSchema(s)) return null;
    if (built.has(s)) return built.get(s) ?? null;
    const node: Node = {};
    built.set(s, node); // before the children: a recursive schema refers to this node
    let open = false;
    let props: Map<string, Node | null> | undefined;
    let items: Node | null = null;
    for (const b of branches(s)) {
      if (isSchema(b.properties)) {
        props ??= new Map();
        for (const [name, sub] of Object.entries(b.properties)) {
          if (!props.has(name) || props.get(name) === null) props.set(name, FREE_FORM.has(name) ? null : build(sub));
        }
      }
      if (isSchema(b.patternProperties) || isSchema(b.additionalProperties)) open = true;
      if (isSchema(b.items)) items ??= build(b.items);
    }
    if (props && props.size > 0 && !open) node.props = props;
    if (items) node.items = items;
    const useful = node.props !== undefined || node.items !== undefined;
    built.set(s, useful ? node : null);
    return useful ? node : null;
  };

  const root = build(schema);
  if (!root) return undefined;

  // the path to the current value, as segments: a pointer is built only for an unknown field
  const path: (string | number)[] = [];
  const pointerTo = (key: string) => `${path.map((p) => `/${typeof p === 'number' ? p : pointerKey(p)}`).join('')}/${pointerKey(key)}`;
  let found: Unknowns | undefined;

  const walk = (node: Node, data: unknown) => {
    if (typeof data !== 'object' || data === null) return;
    if (Array.isArray(data)) {
      const items = node.items;
      if (!items) return;
      for (let i = 0; i < data.length; i++) {
        path.push(i);
        walk(items, data[i]);
        path.pop();
      }
      return;
    }
    const props = node.props;
    if (!props) return;
    for (const key in data) {
      const child = props.get(key);
      if (child === null) continue;
      if (child !== undefined) {
        path.push(key);
        walk(child, (data as Record<string, unknown>)[key]);
        path.pop();
        continue;
      }
      const known = TALON_SIBLINGS.has(key) ? undefined : nearestKnown(key, props.keys());
      found ??= { misses: [], ignored: [] };
      const pointer = pointerTo(key);
      if (known === undefined) found.ignored.push(pointer);
      else found.misses.push({ keyword: 'nearMiss', instancePath: pointer, schemaPath: '', params: { unknown: key, known }, message: `unknown field ${key} — did you mean ${known}?` });
    }
  };

  return (data) => {
    found = undefined;
    path.length = 0;
    walk(root, data);
    return found;
  };
}
