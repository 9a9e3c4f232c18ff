/** Loyalty cards of card-based programs (docs/loyalty-cards.md): the card, its linked profiles, and identifier checks. */

export type CardStatus = 'active' | 'inactive';

export interface CardProfile { integrationId: string; timestamp: string }

/** A card as stored. A blocked card (transferred) has status `inactive` and a `blockReason`. */
export interface LoyaltyCard {
  id: number; programId: number; identifier: string; status: CardStatus; blockReason?: string; usersPerCardLimit: number;
  batchId?: string; importId?: number; oldCardIdentifier?: string; newCardIdentifier?: string; created: string; modified: string;
  profiles: CardProfile[];
}

export const CARD_IDENTIFIER = /^[A-Za-z0-9._%+@-]+$/;
const CARD_IDENTIFIER_MIN = 4;
export const CARD_IDENTIFIER_MAX = 108;

/** Why an identifier is refused, or null. */
export function cardIdentifierProblem(s: string): string | null {
  if (s.length < CARD_IDENTIFIER_MIN || s.length > CARD_IDENTIFIER_MAX) return `a card identifier has ${CARD_IDENTIFIER_MIN} to ${CARD_IDENTIFIER_MAX} characters; got ${s.length}`;
  if (!CARD_IDENTIFIER.test(s)) return `a card identifier matches ${CARD_IDENTIFIER.source}; got ${JSON.stringify(s)}`;
  return null;
}

export const isBlocked = (c: Pick<LoyaltyCard, 'blockReason'>) => c.blockReason !== undefined && c.blockReason !== '';
