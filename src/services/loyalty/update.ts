/**
 * Update a loyalty program (our extension; docs/loyalty.md). Fields left out keep their value. Once the
 * program has a ledger entry, its tiers, tier expiration settings and subledger setting are fixed.
 */
import { invalidField, Title } from '../../domain/errors.js';
import type { ProgramSettings } from '../../domain/loyalty.js';
import { dec } from '../../domain/money.js';
import { programHasTransactions, setProgramApplications, setProgramTiers, updateProgram } from '../../store/repos/loyaltyPrograms.js';
import type { ServiceContext } from '../context.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { ACCOUNT_SCOPE } from '../definitions/load.js';
import { loadProgram } from './common.js';
import type { ProgramView } from './read.js';
import { checkSettings, type TierInput } from './settings.js';

export type UpdateProgramInput = Partial<Omit<ProgramSettings, 'name' | 'cardBased' | 'timezone'>> & { tiers?: TierInput[]; title?: string; description?: string };

/** The settings fixed once transactions exist (the `canUpdate*` flags of the program say so). */
const FIXED = ['tiersExpirationPolicy', 'tiersExpireIn', 'tierCycleStartDate', 'tiersDowngradePolicy', 'allowSubledger'] as const;

export function updateLoyaltyProgram(ctx: ServiceContext, programId: number, input: UpdateProgramInput): Promise<ProgramView> {
  return ctx.db.transaction(async (sql) => {
    const old = await loadProgram(sql, programId, true);
    const { tiers, ...rest } = input;
    const { id: _id, accountId: _a, created: _c, tiers: oldTiers, ...oldSettings } = old;
    const settings: ProgramSettings = { ...oldSettings, ...rest };
    const tierInput = tiers ?? oldTiers.map((t) => ({ name: t.name, minPoints: t.minPoints.toNumber() }));
    const checked = await checkSettings(sql, settings, tierInput);
    const hasTransactions = await programHasTransactions(sql, programId);
    // tiers sent unchanged keep their rows (and ids, which ledgers will point at)
    const tiersChange = tiers !== undefined && !(tiers.length === oldTiers.length
      && tiers.every((t, i) => t.name === oldTiers[i].name && dec(t.minPoints).eq(oldTiers[i].minPoints)));
    if (hasTransactions) {
      for (const f of FIXED) {
        if (input[f] !== undefined && input[f] !== old[f]) throw invalidField(`/${f}`, Title.immutable, `${f} cannot change once the program has transactions`);
      }
      if (tiersChange) throw invalidField('/tiers', Title.immutable, 'tiers cannot change once the program has transactions');
    }
    const now = ctx.now().toISOString();
    await updateProgram(sql, programId, settings, now);
    await setProgramApplications(sql, programId, settings.subscribedApplications);
    if (tiersChange) await setProgramTiers(sql, programId, checked, now);
    // sessions read the subscribed programs from the Application's snapshot, refreshed by this version
    await bumpConfigVersion(sql, ACCOUNT_SCOPE);
    return { program: await loadProgram(sql, programId), hasTransactions };
  });
}
