/**
 * linkLoyaltyCardToProfile and unlinkLoyaltyCardFromProfile (Integration API). Linking locks the card row
 * first, so concurrent links of one card queue and usersPerCardLimit holds exactly; linking a profile linked
 * already changes nothing. A blocked card takes no new link. The profile is created if missing.
 */
import { ACCOUNT_ID } from '../../../domain/application.js';
import { invalidField, Title } from '../../../domain/errors.js';
import { isBlocked } from '../../../domain/loyaltyCard.js';
import { linkProfile, unlinkProfile } from '../../../store/repos/loyaltyCards.js';
import { ensureProfile } from '../../../store/repos/profiles.js';
import type { ServiceContext } from '../../context.js';
import { cardLimit, cardView, loadCardProgram, requireCard, type CardView } from './common.js';

export function linkLoyaltyCard(ctx: ServiceContext, applicationId: number | undefined, programId: number, identifier: string, integrationId: string): Promise<CardView> {
  if (integrationId === '') throw invalidField('/integrationId', Title.minLength, 'integrationId must not be empty');
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId, applicationId);
    const card = await requireCard(sql, program.id, identifier, true);
    const now = ctx.now().toISOString();
    if (!card.profiles.some((p) => p.integrationId === integrationId)) {
      if (isBlocked(card)) throw invalidField('/', Title.invalidValue, `Loyalty card ${card.identifier} is blocked (transferred to ${card.newCardIdentifier ?? 'another card'})`);
      const limit = cardLimit(program);
      if (limit > 0 && card.profiles.length >= limit) {
        throw invalidField('/integrationId', Title.invalidValue, `Loyalty card ${card.identifier} has ${card.profiles.length} linked profile(s), the program's usersPerCardLimit`);
      }
      await ensureProfile(sql, ACCOUNT_ID, integrationId, now);
      await linkProfile(sql, card.id, integrationId, now);
    }
    return cardView(sql, program, await requireCard(sql, program.id, identifier), now);
  });
}

export function unlinkLoyaltyCard(ctx: ServiceContext, applicationId: number | undefined, programId: number, identifier: string, integrationId: string): Promise<CardView> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId, applicationId);
    const card = await requireCard(sql, program.id, identifier, true);
    if (!(await unlinkProfile(sql, card.id, integrationId))) {
      throw invalidField('/integrationId', Title.invalidValue, `Customer profile ${JSON.stringify(integrationId)} is not linked to loyalty card ${card.identifier}`);
    }
    return cardView(sql, program, await requireCard(sql, program.id, identifier), ctx.now().toISOString());
  });
}
