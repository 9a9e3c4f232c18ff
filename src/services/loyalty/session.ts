/**
 * Loyalty in customer sessions (docs/loyalty-sessions.md): the ledgers a session's rules see, the dates of the
 * points they add, what a close writes, and the tentative balances an open session answers. A close reads its
 * ledgers under their row locks (in id order) and writes them in the same transaction, so racing closes of one
 * profile or card can never spend points that are not there.
 */
import { applyDuration, changeAt, emptyCounters, parseDuration, stateAt, type Counters, type LoyaltyProgram, type OwnerKind } from '../../domain/loyalty.js';
import type { LoyaltyCard } from '../../domain/loyaltyCard.js';
import type { Effect } from '../../domain/effect.js';
import { dec, ZERO, type Decimal } from '../../domain/money.js';
import type { EngineLoyaltyProgram, LoyaltyBalance } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { getCard } from '../../store/repos/loyaltyCards.js';
import { lockLedger, nextChange, ownerLedgers, saveCounters, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import { openBuckets, setBucketExpiry } from '../../store/repos/loyaltySessions.js';
import { noteJoin } from '../../store/repos/loyaltyOps.js';
import { listPrograms } from '../../store/repos/loyaltyPrograms.js';
import { ACCOUNT_ID } from '../../domain/application.js';
import { countersAt, settle } from './common.js';
import { joinCandidate } from './join.js';
import { tierInfo, type TierInfo } from './tiers.js';
import { pointDates } from './add.js';
import { writeAddition, writeDeduction, type EntryOwner } from './write.js';

/** One (sub)ledger as the session found it: the row (when it exists), its balances now and its current tier's name. */
interface LedgerState { ledger?: Ledger; counters: Counters; tier?: string | null }

/** A program the session's Application is subscribed to, with the ledgers of the session's owner in it. */
export interface ProgramState {
  program: LoyaltyProgram;
  /** card-based programs: the session's card of this program, if it names one that exists */
  card?: LoyaltyCard;
  /** whose points: the profile (integration id) or the card (row id); null = nobody (anonymous, no valid card) */
  owner: { kind: OwnerKind; id: string } | null;
  ledgers: Map<string, LedgerState>;
}

export interface SessionLoyalty { programs: ProgramState[]; locked: boolean }

/** Programs subscribed to the Application (Integration API visibility), ordered by id. */
export async function subscribedPrograms(sql: Sql, applicationId: number): Promise<LoyaltyProgram[]> {
  return (await listPrograms(sql, ACCOUNT_ID)).filter((p) => p.subscribedApplications.includes(applicationId));
}

/** A registered card (linked to profiles) serves only sessions of one of them; an anonymous card any session (docs/loyalty-sessions.md). */
function cardUsable(card: LoyaltyCard | undefined, profileId: string): boolean {
  if (!card || card.status !== 'active') return false;
  return card.profiles.length === 0 || card.profiles.some((p) => p.integrationId === profileId);
}

/**
 * The loyalty state a session's rules evaluate: for every subscribed program (`programs`, from the snapshot), the ledgers of the session's
 * profile (profile-based) or of its card (card-based). `lock`: a close — each existing ledger row is locked
 * (ascending id) and settled, so the balances read are the ones the close will write against.
 */
export async function loadSessionLoyalty(sql: Sql, programs: readonly LoyaltyProgram[], profileId: string, cards: readonly string[], lock: boolean, now: Date): Promise<SessionLoyalty | null> {
  if (programs.length === 0) return null;
  const at = now.toISOString();
  const states: ProgramState[] = [];
  const toLock: { state: ProgramState; ledger: Ledger }[] = [];
  for (const program of programs) {
    const state: ProgramState = { program, owner: null, ledgers: new Map() };
    states.push(state);
    if (program.cardBased) {
      const identifier = cards[0];
      if (identifier === undefined) continue;
      state.card = await getCard(sql, program.id, identifier);
      if (cardUsable(state.card, profileId)) state.owner = { kind: 'card', id: String(state.card!.id) };
    } else if (profileId !== '') {
      state.owner = { kind: 'profile', id: profileId };
    }
    if (state.owner === null) continue;
    for (const l of await ownerLedgers(sql, program.id, state.owner.kind, state.owner.id)) {
      if (lock) toLock.push({ state, ledger: l });
      else {
        const counters = await countersAt(sql, l, at);
        state.ledgers.set(l.subledgerId, { ledger: l, counters, tier: await tierName(sql, program, l, counters, at) });
      }
    }
  }
  toLock.sort((a, b) => a.ledger.id - b.ledger.id);
  for (const { state, ledger } of toLock) {
    // SQLite runs one write transaction at a time: the row just read is current and cannot change under us
    const row = sql.dialect === 'postgres' ? await lockLedger(sql, ledger, at) : ledger;
    const locked = await settle(sql, row, at, state.program);
    state.ledgers.set(ledger.subledgerId, { ledger: locked, counters: locked.counters, tier: await tierName(sql, state.program, locked, locked.counters, at) });
  }
  return { programs: states, locked: lock };
}

/** The ledger's current tier name (null without one), as the program's tier rules keep it (docs/loyalty.md, "Tiers"). */
async function tierName(sql: Sql, program: LoyaltyProgram, ledger: Ledger, counters: Counters, at: string): Promise<string | null> {
  if (program.tiers.length === 0) return null;
  return (await tierInfo(sql, program, ledger, counters, at)).currentTier?.name ?? null;
}

/** What the engine takes: the programs its rules may name, and the active balance of every ledger found. */
export function engineLoyalty(l: SessionLoyalty | null): { loyaltyPrograms: EngineLoyaltyProgram[]; loyaltyBalances: LoyaltyBalance[] } {
  if (!l) return { loyaltyPrograms: [], loyaltyBalances: [] };
  const loyaltyPrograms: EngineLoyaltyProgram[] = [];
  const loyaltyBalances: LoyaltyBalance[] = [];
  for (const s of l.programs) {
    const p = s.program;
    const ep: EngineLoyaltyProgram = {
      id: p.id, cardBased: p.cardBased, tiers: p.tiers.map((t) => ({ name: t.name, minPoints: t.minPoints })), pendingByDefault: p.defaultPending !== 'immediate',
    };
    if (p.cardBased && s.card) {
      ep.cardIdentifier = s.card.identifier;
      ep.cardStatus = s.card.status;
      ep.cardValid = s.owner !== null;
    }
    loyaltyPrograms.push(ep);
    for (const [subledgerId, st] of s.ledgers) loyaltyBalances.push({ programId: p.id, subledgerId, balance: st.counters.active, tier: st.tier ?? null });
  }
  return { loyaltyPrograms, loyaltyBalances };
}

const LOYALTY_EFFECTS = new Set(['addLoyaltyPoints', 'deductLoyaltyPoints']);
const EXPIRY_EFFECTS = new Set(['setLoyaltyPointsExpiryDate', 'extendLoyaltyPointsExpiryDate']);

/** A wire prop as a decimal. */
export const num = (v: unknown): Decimal => dec(typeof v === 'number' ? v : text(v));

/** A wire prop as text ('' when absent or not a scalar). */
export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * Completes the `addLoyaltyPoints` effects with the dates the program gives points the rule left undated: a
 * future start as `startDate`, an expiry as `expiryDate`, on-action points as `awaitsActivation` (with the
 * `validityDuration` that will count from the activation). The close writes exactly these dates.
 */
export function datePoints(effects: Effect[], l: SessionLoyalty | null, now: Date): void {
  if (!l) return;
  for (const e of effects) {
    if (e.effectType !== 'addLoyaltyPoints') continue;
    const program = l.programs.find((s) => s.program.id === Number(e.props.programId))?.program;
    if (!program) continue;
    const p = e.props;
    const given = { points: 0, ...(typeof p.startDate === 'string' ? { pendingUntil: p.startDate } : {}) };
    const d = pointDates(program, given, now);
    if (d.start === null) {
      p.awaitsActivation = true;
      if (typeof p.expiryDate !== 'string' && d.validityDuration !== undefined) p.validityDuration = d.validityDuration;
    } else if (d.start > now.toISOString()) p.startDate = d.start;
    if (typeof p.expiryDate !== 'string' && d.expiry !== null) p.expiryDate = d.expiry;
  }
}

/** Where an effect's points go: the ledger key in the program state, and the owner fields of its entry. */
function target(s: ProgramState, e: Effect): { subledgerId: string; owner: EntryOwner } | null {
  if (s.owner === null) return null;
  const subledgerId = text(e.props.subLedgerId);
  const owner: EntryOwner = s.owner.kind === 'card' ? { profileIntegrationId: '', cardId: Number(s.owner.id) } : { profileIntegrationId: s.owner.id };
  return { subledgerId, owner };
}

/** The entry's dates from the effect's props (datePoints filled in the program's defaults). */
function effectDates(e: Effect, now: string) {
  const p = e.props;
  const start = p.awaitsActivation === true ? null : typeof p.startDate === 'string' && p.startDate > now ? p.startDate : now;
  const expiry = typeof p.expiryDate === 'string' ? p.expiryDate : null;
  const startWire = p.awaitsActivation === true ? 'on_action' : typeof p.startDate === 'string' && p.startDate > now ? p.startDate : 'immediate';
  return {
    start, startWire, expiry: expiry !== null && start !== null && expiry <= start ? start : expiry, expiryWire: expiry ?? 'unlimited',
    ...(typeof p.validityDuration === 'string' ? { validityDuration: p.validityDuration } : {}),
  };
}

/** Whose entries: the Application and the session (integration id; '' for an event or a profile update). */
export interface SessionRef { applicationId: number; integrationId: string }

/**
 * A close writes its points: each deduction, then each addition, as ledger entries carrying the UUID their
 * effect announced, under the locks `loadSessionLoyalty` took. The evaluation decided under the same locks that
 * the points are there; a deduction that is not covered is an internal error, never a negative balance.
 */
export async function commitSessionLoyalty(sql: Sql, l: SessionLoyalty | null, session: SessionRef, effects: readonly Effect[], nowDate: Date): Promise<void> {
  if (!l) return;
  if (!l.locked) throw new Error('a session close must load its ledgers locked');
  const now = nowDate.toISOString();
  const ordered = [...effects.filter((e) => e.effectType === 'deductLoyaltyPoints'), ...effects.filter((e) => e.effectType === 'addLoyaltyPoints'),
    ...effects.filter((e) => EXPIRY_EFFECTS.has(e.effectType))];
  for (const e of ordered) {
    if (EXPIRY_EFFECTS.has(e.effectType)) { await moveExpiry(sql, l, e, now); continue; }
    const s = l.programs.find((x) => x.program.id === Number(e.props.programId));
    const t = s && target(s, e);
    if (!s || !t) continue;
    const known = s.ledgers.get(t.subledgerId);
    const ledger = known?.ledger ?? await settle(sql, await lockLedger(sql, { programId: s.program.id, ownerKind: s.owner!.kind, ownerId: s.owner!.id, subledgerId: t.subledgerId }, now), now);
    const amount = num(e.props.value);
    const input = {
      source: 'session' as const, uuid: text(e.props.transactionUUID), name: text(e.props.name), applicationId: session.applicationId,
      ...(session.integrationId !== '' ? { customerSessionId: session.integrationId } : {}), campaignId: e.campaignId, rulesetId: e.rulesetId, ruleName: e.ruleName,
    };
    if (e.effectType === 'deductLoyaltyPoints') {
      if (ledger.counters.active.lt(amount)) throw new Error(`loyalty ledger ${ledger.id} cannot cover a deduction its close decided under lock`);
      const written = await writeDeduction(sql, s.program, ledger, t.owner, amount, input, now);
      s.ledgers.set(t.subledgerId, { ledger: written, counters: written.counters });
    } else {
      const dates = effectDates(e, now);
      const written = await writeAddition(sql, s.program, ledger, t.owner, amount, dates, input, now);
      s.ledgers.set(t.subledgerId, { ledger: written, counters: written.counters });
      const join = joinCandidate(s.program, dates.start, now);
      if (join !== null) await noteJoin(sql, ledger.id, join);
    }
  }
}

/**
 * `setLoyaltyPointsExpiryDate` (every pending and active bucket, unlimited ones included, gets the new expiry) and
 * `extendLoyaltyPointsExpiryDate` (buckets with an expiry move by the duration, in the program's time zone) of a
 * ledger the session holds; a bucket whose new expiry has passed expires at once.
 */
async function moveExpiry(sql: Sql, l: SessionLoyalty, e: Effect, now: string): Promise<void> {
  const s = l.programs.find((x) => x.program.id === Number(e.props.programId));
  const ledger = s?.ledgers.get(text(e.props.subLedgerId))?.ledger;
  if (!s || !ledger) return;
  const set = e.effectType === 'setLoyaltyPointsExpiryDate' ? text(e.props.newExpiryDate) : null;
  const by = set === null ? parseDuration(text(e.props.extensionDuration)) : null;
  if (set === null && by === null) return;                     // `immediate` or malformed: nothing moves
  const c: Counters = { ...ledger.counters };
  for (const b of await openBuckets(sql, ledger.id)) {
    if (set === null && b.expiry === null) continue;
    const expiry = set ?? applyDuration(new Date(b.expiry!), by!, s.program.timezone).toISOString();
    const state = b.start === null ? 'pending' : stateAt({ start: b.start, expiry }, now);
    if (state !== b.state) { c[b.state] = c[b.state].minus(b.remaining); c[state] = c[state].plus(b.remaining); }
    await setBucketExpiry(sql, b.id, expiry, state, changeAt({ start: b.start, expiry, state }));
  }
  await saveCounters(sql, ledger.id, c, now, await nextChange(sql, ledger.id));
  s.ledgers.set(ledger.subledgerId, { ledger: { ...ledger, counters: c }, counters: c });
}

/** A ledger's balances and what this session would make of them (LedgerInfo's `tentative*`). */
export interface LedgerBalances { counters: Counters; tentative: { active: Decimal; pending: Decimal; negative: Decimal }; tier?: TierInfo }

/**
 * The balances of every ledger the session touches or holds, with its uncommitted points applied to the
 * tentative ones: `effects` are an open session's (a closed one passes none: its points are written).
 */
export function tentativeBalances(s: ProgramState, effects: readonly Effect[], nowIso: string): Map<string, LedgerBalances> {
  const out = new Map<string, LedgerBalances>();
  const get = (sub: string): LedgerBalances => {
    let b = out.get(sub);
    if (!b) {
      const c = s.ledgers.get(sub)?.counters ?? emptyCounters();
      b = { counters: c, tentative: { active: c.active, pending: c.pending, negative: c.negative } };
      out.set(sub, b);
    }
    return b;
  };
  for (const sub of s.ledgers.keys()) get(sub);
  if (s.owner === null) return out;
  for (const e of effects) {
    if (!LOYALTY_EFFECTS.has(e.effectType) || Number(e.props.programId) !== s.program.id) continue;
    const b = get(text(e.props.subLedgerId));
    const v = num(e.props.value);
    if (e.effectType === 'deductLoyaltyPoints') { b.tentative.active = b.tentative.active.minus(v); continue; }
    const start = effectDates(e, nowIso).start;
    if (start === null || start > nowIso) b.tentative.pending = b.tentative.pending.plus(v);
    else b.tentative.active = b.tentative.active.plus(v);
  }
  return out;
}

export const ZERO_BALANCES: LedgerBalances = { counters: emptyCounters(), tentative: { active: ZERO, pending: ZERO, negative: ZERO } };
