/**
 * returnCartItems (docs/sessions.md, "Returns"): return units of a closed session, roll back their
 * effects and, with runRuleEngine, re-evaluate the campaigns that ask for it (reevaluate.ts).
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, invalidParameter, notFound } from '../../domain/errors.js';
import { ZERO } from '../../domain/money.js';
import type { Return, ReturnedCartItem } from '../../domain/records.js';
import { assertReturnable, unitsValue, type CartItem, type CustomerSession } from '../../domain/session.js';
import type { Sql } from '../../store/db.js';
import { findIdempotent, insertEvent, insertReturn, listReturns, saveIdempotent } from '../../store/repos/events.js';
import { addToProfileCounters, getProfile } from '../../store/repos/profiles.js';
import { getConsumed, getSession, setConsumed, updateSession } from '../../store/repos/sessions.js';
import type { ServiceContext } from '../context.js';
import { exclusive } from '../exclusive.js';
import { emptyEvaluation } from './evaluate.js';
import { newEvent } from './event.js';
import type { SessionResult } from './result.js';
import { returnWithPoints } from './rollback.js';
import { reevaluateOnReturn } from './reevaluate.js';
import { releaseReturned, type Consumed } from './usage.js';
import { sessionLockKey } from './lock.js';

export interface ReturnRequest {
  applicationId: number;
  integrationId: string;
  items: { position?: number; quantity?: number; sku?: string }[];
  responseContent: readonly string[];
  dry: boolean;
  runRuleEngine: boolean;
  idempotencyKey?: string;
}

export interface Replayable { status: number; body: unknown }

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const ENDPOINT = 'returnCartItems';

/**
 * Runs the return and shapes its response with `shape`; with an Idempotency-Key the shaped body is
 * stored for 24 h and replayed for the same key, in the same transaction as the return (docs/sessions.md,
 * "Idempotency-Key (returns)"). A dry run takes the same steps in a unit of work that is rolled back.
 */
export async function returnCartItems(ctx: ServiceContext, req: ReturnRequest, shape: (r: SessionResult) => unknown): Promise<Replayable> {
  if (req.idempotencyKey !== undefined && req.idempotencyKey.length > 255) {
    throw invalidParameter('Idempotency-Key', 'maxLength', 'Idempotency-Key must be at most 255 characters');
  }
  if (req.items.length === 0) throw invalidField('/return/returnedCartItems', 'minItems', 'returnedCartItems must name at least one item');
  // a key names a return that happened: a dry run, which answers what this one would do, has none
  const key = req.dry ? undefined : req.idempotencyKey;
  const work = async (sql: Sql): Promise<Replayable> => {
    const now = ctx.now();
    if (key !== undefined) {
      const notBefore = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
      const hit = await findIdempotent(sql, req.applicationId, ENDPOINT, key, notBefore);
      if (hit) return hit;
    }
    const result = await run(ctx, sql, req, now);
    const body = shape(result);
    if (key !== undefined) await saveIdempotent(sql, req.applicationId, ENDPOINT, key, 200, body, now.toISOString());
    return { status: 200, body };
  };
  // a dry run keeps nothing, so it takes no lock: it must not turn a concurrent request for the session away
  if (req.dry) return ctx.db.rehearse(work);
  return exclusive(ctx, sessionLockKey(req.applicationId, req.integrationId), work);
}

/** Resolves each entry to a line and a unit count, checking against what remains (docs/sessions.md, "Returns"). */
function resolveUnits(cart: readonly CartItem[], items: ReturnRequest['items']): ReturnedCartItem[] {
  const taken = new Map<number, number>();
  return items.map((entry, i) => {
    const at = `/return/returnedCartItems/${i}`;
    let position: number;
    if (entry.position !== undefined) {
      if (!Number.isInteger(entry.position) || entry.position < 0 || entry.position >= cart.length) {
        throw invalidField(`${at}/position`, 'Invalid value', `No cart item at position ${entry.position}`);
      }
      position = entry.position;
      if (entry.sku !== undefined && cart[position].sku !== entry.sku) {
        throw invalidField(`${at}/sku`, 'Invalid value', `The cart item at position ${position} has SKU ${JSON.stringify(cart[position].sku)}, not ${JSON.stringify(entry.sku)}`);
      }
    } else if (entry.sku !== undefined) {
      position = cart.findIndex((it, p) => it.sku === entry.sku && it.remainingQuantity - (taken.get(p) ?? 0) > 0);
      if (position < 0) throw invalidField(`${at}/sku`, 'Invalid value', `No cart item with SKU ${JSON.stringify(entry.sku)} has units left to return`);
    } else {
      throw invalidField(at, 'required', 'Each returned item needs a position or a sku');
    }
    const left = cart[position].remainingQuantity - (taken.get(position) ?? 0);
    const quantity = entry.quantity ?? left;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > left) {
      throw invalidField(`${at}/quantity`, 'Invalid value', `Cannot return ${quantity} units of the item at position ${position}: ${left} remain`);
    }
    taken.set(position, (taken.get(position) ?? 0) + quantity);
    return { position, quantity, sku: cart[position].sku };
  });
}

async function run(ctx: ServiceContext, sql: Sql, req: ReturnRequest, clock: Date): Promise<SessionResult> {
  const now = clock.toISOString();
  const stored = await getSession(sql, req.applicationId, req.integrationId);
  if (!stored) throw notFound('Customer session');
  assertReturnable(stored.session.state);
  const returned = resolveUnits(stored.session.cartItems, req.items);

  // the units returned now: the lowest sub-positions not returned before
  const units: { position: number; subPositions: number[] }[] = [];
  const cartItems = stored.session.cartItems.map((it) => ({ ...it }));
  let returnedValue = ZERO;
  for (const r of returned) {
    const line = cartItems[r.position];
    const subPositions: number[] = [];
    for (let s = line.returnedQuantity; s < line.returnedQuantity + r.quantity; s++) subPositions.push(s);
    units.push({ position: r.position, subPositions });
    line.returnedQuantity += r.quantity;
    line.remainingQuantity -= r.quantity;
    returnedValue = returnedValue.plus(unitsValue(line, r.quantity));
  }
  const rb = await returnWithPoints(sql, stored.effects, units, { applicationId: req.applicationId, sessionIntegrationId: req.integrationId, profileId: stored.session.profileId }, clock);
  // a dry run is not a change of the session: its rules and its answer keep the stored `updated`
  const session: CustomerSession = { ...stored.session, cartItems, state: 'partially_returned', updated: req.dry ? stored.session.updated : now };
  const profile = session.profileId ? (await getProfile(sql, ACCOUNT_ID, session.profileId)) ?? null : null;

  let consumed = await releaseReturned(sql, await getConsumed<Consumed>(sql, session.id), rb.rollbacks);
  let effects = rb.rollbacks;
  let remaining = rb.remaining;
  let evaluation = emptyEvaluation();
  if (req.runRuleEngine) {
    const re = await reevaluateOnReturn(ctx, sql, { session, profile, before: stored.effects, after: rb.remaining, consumed, now: clock });
    if (re) {
      effects = [...rb.rollbacks, ...re.rollbacks, ...re.effects];
      remaining = re.remaining;
      consumed = re.consumed;
      evaluation = re.evaluation;
    }
  }

  const event = newEvent('talon_session_partially_returned', session, effects, now);
  const ret: Return = {
    id: 0, created: now, applicationId: req.applicationId, accountId: ACCOUNT_ID, returnedCartItems: returned, eventId: 0,
    sessionId: session.id, sessionIntegrationId: session.integrationId,
    ...(profile ? { profileId: profile.id, profileIntegrationId: profile.integrationId } : {}),
  };
  const previousReturns = req.responseContent.includes('previousReturns') ? await listReturns(sql, session.id) : undefined;
  await updateSession(sql, session, remaining);
  await setConsumed(sql, session.id, consumed);
  const recordedEvent = await insertEvent(sql, event);
  const { id: _unused, ...newReturn } = ret;
  const recordedReturn = await insertReturn(sql, { ...newReturn, eventId: recordedEvent.id });
  if (profile) await addToProfileCounters(sql, profile.id, 0, ZERO.minus(returnedValue));

  // a dry run answers with its event and return unrecorded (ids 0) and the profile as it stands
  const result: SessionResult = req.dry
    ? { session, effects, evaluation, profile: null, event, return: ret }
    : { session, effects, evaluation, profile: null, event: recordedEvent, return: recordedReturn };
  if (previousReturns) result.previousReturns = previousReturns;
  if (profile && req.responseContent.includes('customerProfile')) {
    result.profile = req.dry ? profile : (await getProfile(sql, ACCOUNT_ID, profile.integrationId)) ?? profile;
  }
  return result;
}
