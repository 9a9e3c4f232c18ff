/** What adding and deducting points share: the ledger key of a profile, the transaction row's common fields. */
import { randomUUID } from 'node:crypto';
import { invalidField, Title } from '../../domain/errors.js';
import type { LoyaltyProgram } from '../../domain/loyalty.js';
import type { LedgerKey } from '../../store/repos/loyaltyLedgers.js';

/** The body fields both operations share (AddLoyaltyPoints, DeductLoyaltyPoints). */
export interface PointsInput { points: number; name?: string; subledgerId?: string; subLedgerID?: string; applicationId?: number }

/** The profile's ledger the request names; refuses subledgers the program does not allow and card-based programs. */
export function profileLedger(program: LoyaltyProgram, integrationId: string, input: PointsInput): LedgerKey {
  refuseCardBased(program);
  const subledgerId = checkedSubledger(program, input);
  return { programId: program.id, ownerKind: 'profile', ownerId: integrationId, subledgerId };
}

/**
 * The subledger a manual points change names, after the checks profile and card changes share: a subledger
 * the program allows, a subscribed Application, a positive amount.
 */
export function checkedSubledger(program: LoyaltyProgram, input: PointsInput): string {
  // `subLedgerID`: the older API's body (LoyaltyPoints), which older SDKs still send
  if (input.subledgerId !== undefined && input.subLedgerID !== undefined && input.subledgerId !== input.subLedgerID) {
    throw invalidField('/subLedgerID', Title.invalidValue, 'subledgerId and subLedgerID name different subledgers');
  }
  const subledgerId = input.subledgerId ?? input.subLedgerID ?? '';
  if (subledgerId !== '' && !program.allowSubledger) throw invalidField('/subledgerId', Title.invalidValue, `Loyalty program ${program.id} does not allow subledgers`);
  if (input.applicationId !== undefined && !program.subscribedApplications.includes(input.applicationId)) {
    throw invalidField('/applicationId', Title.invalidValue, `Application ${input.applicationId} is not subscribed to loyalty program ${program.id}`);
  }
  if (!(input.points > 0)) throw invalidField('/points', Title.minimum, 'points must be greater than 0');
  return subledgerId;
}

/** A card-based program's points belong to its cards: every profile points operation (writes and reads) is a 400 there (docs/loyalty-cards.md). */
export function refuseCardBased(program: LoyaltyProgram): void {
  if (program.cardBased) throw invalidField('/', Title.invalidValue, `Loyalty program ${program.id} is card-based: points belong to its loyalty cards, not to profiles`);
}

export const newUuid = () => randomUUID();
