/**
 * Card identifiers generated from a code format (CodeGeneratorSettings, as coupon codes are: src/domain/coupon.ts),
 * unique in the program: drawn fresh, inserted with ON CONFLICT DO NOTHING, and the rows that lost (to a
 * stored card or a concurrent insert) drawn again, a bounded number of rounds; then 400 "Pattern full".
 */
import { randomInt } from 'node:crypto';
import { codeSpec, DEFAULT_VALID_CHARACTERS, freshCode, patternSpace, type CodeSpec } from '../../../domain/coupon.js';
import { invalidField, Title } from '../../../domain/errors.js';
import type { LoyaltyProgram } from '../../../domain/loyalty.js';
import { CARD_IDENTIFIER, CARD_IDENTIFIER_MAX } from '../../../domain/loyaltyCard.js';
import type { Sql } from '../../../store/db.js';
import { insertCards, type NewCard } from '../../../store/repos/loyaltyCards.js';

/** Without a code format (generateLoyaltyCard only): twelve characters of A–Z and 0–9. */
const DEFAULT_PATTERN = '############';
const ROUNDS = 20;
const CHUNK = 5000;

type Settings = { couponPattern: string; validCharacters: string[] };

/** The format to generate with: the request's, else the program's, else (when `fallback`) the default; 400 naming `pointer` when it cannot give valid identifiers. */
export function cardCodeSpec(program: LoyaltyProgram, override: Settings | undefined, pointer: string, fallback: boolean): CodeSpec {
  const s = override ?? program.cardCodeSettings;
  if (!s && !fallback) throw invalidField(pointer, Title.required, `Loyalty program ${program.id} has no cardCodeSettings: give cardCodeSettings to generate card identifiers`);
  const spec = codeSpec(s?.couponPattern ?? DEFAULT_PATTERN, s?.validCharacters ?? DEFAULT_VALID_CHARACTERS, 'sensitive', pointer);
  const literal = [...spec.pattern].filter((c) => c !== '#').join('');
  if ((literal && !CARD_IDENTIFIER.test(literal)) || spec.validCharacters.some((c) => !CARD_IDENTIFIER.test(c))) {
    throw invalidField(pointer, Title.invalidValue, `Card identifiers match ${CARD_IDENTIFIER.source}: the code format ${JSON.stringify(spec.pattern)} with characters ${JSON.stringify(spec.validCharacters)} cannot produce them`);
  }
  const longest = Math.max(...spec.validCharacters.map((c) => c.length));
  if ([...spec.pattern].reduce((n, c) => n + (c === '#' ? longest : 1), 0) > CARD_IDENTIFIER_MAX) {
    throw invalidField(pointer, Title.invalidValue, `The code format ${JSON.stringify(spec.pattern)} produces identifiers longer than ${CARD_IDENTIFIER_MAX} characters`);
  }
  return spec;
}

const full = (spec: CodeSpec, n: number) =>
  invalidField(spec.pointer, Title.patternFull, `The code format ${JSON.stringify(spec.pattern)} cannot produce ${n} more unique card identifier(s) in this program`);

/** Inserts one card per record with a fresh identifier; answers the identifiers inserted, in record order. */
export async function insertGeneratedCards(sql: Sql, spec: CodeSpec, records: readonly Omit<NewCard, 'identifier'>[],
  random: (n: number) => number = randomInt): Promise<string[]> {
  if (patternSpace(spec.pattern, spec.validCharacters) < records.length) throw full(spec, records.length);
  const made: string[] = [];
  let pending = records.slice();
  const taken = new Set<string>();
  for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
    const next: typeof pending = [];
    for (let i = 0; i < pending.length; i += CHUNK) {
      const avoid = new Set(taken);
      const rows: NewCard[] = [];
      for (const r of pending.slice(i, i + CHUNK)) {
        const identifier = freshCode(spec.pattern, spec.validCharacters, avoid, 10, random);
        if (identifier === null) { next.push(r); continue; }
        avoid.add(identifier);
        rows.push({ ...r, identifier });
      }
      const ok = await insertCards(sql, rows);
      for (const r of rows) {
        if (ok.has(r.identifier)) made.push(r.identifier);
        else { taken.add(r.identifier); next.push(r); }
      }
    }
    pending = next;
  }
  if (pending.length > 0) throw full(spec, pending.length);
  return made;
}
