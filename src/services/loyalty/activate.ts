/**
 * activateLoyaltyPoints: starts on-action points now — those earned in a session, or the entries named by
 * UUID. Each touched ledger is locked (in id order) and settled first; a bucket's expiry, when its entry has a
 * validity duration and no expiry yet, counts from the activation; a `points_activated` program records the
 * join date (docs/loyalty.md, "Activation").
 */
import { invalidField, Title } from '../../domain/errors.js';
import { applyDuration, changeAt, parseDuration, stateAt, type Counters, type Transaction } from '../../domain/loyalty.js';
import { listTransactions, nextChange, saveCounters } from '../../store/repos/loyaltyLedgers.js';
import { activateBucket, additionsFor, lockLedgersById, noteJoin, unknownUuids } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { loadProgramFor, settle } from './common.js';

export interface ActivateInput { sessionId?: string; transactionUUIDs?: string[] }

/** The entries this call activated (already active ones, and entries that never waited for an action, are left as they are). */
export function activateLoyaltyPoints(ctx: ServiceContext, applicationId: number, programId: number, input: ActivateInput): Promise<Transaction[]> {
  if ((input.sessionId === undefined) === (input.transactionUUIDs === undefined)) {
    throw invalidField('/', Title.invalidValue, 'Give either sessionId or transactionUUIDs, not both and not neither');
  }
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgramFor(sql, programId, applicationId);
    const by: { sessionId: string } | { uuids: string[] } = input.sessionId !== undefined ? { sessionId: input.sessionId } : { uuids: input.transactionUUIDs ?? [] };
    if ('uuids' in by) {
      const unknown = await unknownUuids(sql, programId, by.uuids);
      if (unknown.length > 0) {
        throw invalidField(`/transactionUUIDs/${by.uuids.indexOf(unknown[0])}`, Title.unknown, `No ledger entry of loyalty program ${programId} has the UUID ${unknown[0]}`);
      }
    }
    const nowDate = ctx.now();
    const now = nowDate.toISOString();
    const ledgers = new Map<number, Counters>();
    for (const l of await lockLedgersById(sql, (await additionsFor(sql, programId, by)).map((r) => r.ledgerId))) ledgers.set(l.id, (await settle(sql, l, now)).counters);
    const activated: string[] = [];
    for (const r of await additionsFor(sql, programId, by)) {
      if (r.state !== 'pending' || r.start !== null) continue;
      const duration = r.expiry === null && r.validityDuration !== null ? parseDuration(r.validityDuration) : null;
      const expiry = r.expiry ?? (duration ? applyDuration(nowDate, duration, program.timezone).toISOString() : null);
      const bucket = { start: now, expiry };
      const state = stateAt(bucket, now);
      await activateBucket(sql, { pointId: r.pointId, transactionId: r.transactionId, ...bucket, state, changeAt: changeAt({ ...bucket, state }) });
      const c = ledgers.get(r.ledgerId)!;
      ledgers.set(r.ledgerId, { ...c, pending: c.pending.minus(r.remaining), [state]: c[state as 'active' | 'expired'].plus(r.remaining) });
      if (program.programJoinPolicy === 'points_activated') await noteJoin(sql, r.ledgerId, now);
      activated.push(r.uuid);
    }
    for (const [id, counters] of ledgers) await saveCounters(sql, id, counters, now, await nextChange(sql, id));
    if (activated.length === 0) return [];
    return (await listTransactions(sql, { programId, uuids: activated }, 0, activated.length)).reverse();
  });
}
