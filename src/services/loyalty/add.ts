/**
 * addLoyaltyPoints: one addition to a profile's (sub)ledger — a transaction row, a bucket, and the running
 * counters, in one transaction under the ledger's lock (docs/loyalty.md). The profile is created if missing.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, Title } from '../../domain/errors.js';
import { applyDuration, durationProblem, parseDuration, type Duration, type LoyaltyProgram } from '../../domain/loyalty.js';
import { dec } from '../../domain/money.js';
import { lockLedger } from '../../store/repos/loyaltyLedgers.js';
import { noteJoin } from '../../store/repos/loyaltyOps.js';
import { ensureProfile } from '../../store/repos/profiles.js';
import type { ServiceContext } from '../context.js';
import { loadProgram, settle } from './common.js';
import { joinCandidate } from './join.js';
import { profileLedger, type PointsInput } from './points.js';
import { writeAddition } from './write.js';

export interface AddPointsInput extends PointsInput { validityDuration?: string; validUntil?: string; pendingDuration?: string; pendingUntil?: string }

function duration(field: string, value: string, words: readonly string[]): Duration | string {
  const problem = durationProblem(value, words);
  if (problem) throw invalidField(`/${field}`, Title.invalidValue, `${field} ${problem}`);
  return parseDuration(value) ?? value;
}

/** When the points start (null: on action) and expire (null: never), with the wire strings of both. */
export function pointDates(program: LoyaltyProgram, input: AddPointsInput, now: Date) {
  if (input.validityDuration !== undefined && input.validUntil !== undefined) throw invalidField('/validUntil', Title.invalidValue, 'Give validityDuration or validUntil, not both');
  if (input.pendingDuration !== undefined && input.pendingUntil !== undefined) throw invalidField('/pendingUntil', Title.invalidValue, 'Give pendingDuration or pendingUntil, not both');
  let start: Date | null;
  let startWire: string;
  if (input.pendingUntil !== undefined) {
    start = new Date(input.pendingUntil);
    if (start <= now) start = now;
    startWire = start.toISOString();
  } else {
    const p = duration(input.pendingDuration !== undefined ? 'pendingDuration' : 'defaultPending', input.pendingDuration ?? program.defaultPending, ['immediate', 'on_action']);
    start = p === 'on_action' ? null : p === 'immediate' ? now : applyDuration(now, p as Duration, program.timezone);
    startWire = typeof p === 'string' ? p : start!.toISOString();
  }
  let expiry: Date | null = null;
  let validityDuration: string | undefined;
  if (input.validUntil !== undefined) {
    expiry = new Date(input.validUntil);
    if (expiry <= (start ?? now)) throw invalidField('/validUntil', Title.invalidValue, 'validUntil must be after the points start');
  } else {
    const raw = input.validityDuration ?? program.defaultValidity;
    const v = duration(input.validityDuration !== undefined ? 'validityDuration' : 'defaultValidity', raw, ['unlimited']);
    if (v !== 'unlimited') {
      validityDuration = raw;
      // on-action points: the validity counts from their activation (a later slice), so no expiry yet
      if (start !== null) expiry = applyDuration(start, v as Duration, program.timezone);
    }
  }
  return { start: start?.toISOString() ?? null, startWire, expiry: expiry?.toISOString() ?? null, expiryWire: expiry?.toISOString() ?? 'unlimited', validityDuration };
}

export function addLoyaltyPoints(ctx: ServiceContext, programId: number, integrationId: string, input: AddPointsInput): Promise<void> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    const key = profileLedger(program, integrationId, input);
    const nowDate = ctx.now();
    const now = nowDate.toISOString();
    const dates = pointDates(program, input, nowDate);
    const amount = dec(input.points);
    await ensureProfile(sql, ACCOUNT_ID, integrationId, now);
    const ledger = await settle(sql, await lockLedger(sql, key, now), now, program);
    await writeAddition(sql, program, ledger, { profileIntegrationId: integrationId }, amount, dates, input, now);
    const join = joinCandidate(program, dates.start, now);
    if (join !== null) await noteJoin(sql, ledger.id, join);
  });
}
