/** Create a loyalty program (our extension: 25.17 has no such operation; docs/loyalty.md). Names are unique per account (409). */
import { ACCOUNT_ID } from '../../domain/application.js';
import { conflict } from '../../domain/errors.js';
import type { LoyaltyProgram, ProgramSettings } from '../../domain/loyalty.js';
import { insertProgram, setProgramApplications, setProgramTiers } from '../../store/repos/loyaltyPrograms.js';
import type { ServiceContext } from '../context.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { ACCOUNT_SCOPE } from '../definitions/load.js';
import { loadProgram } from './common.js';
import { checkSettings, type TierInput } from './settings.js';

export type NewProgramInput = Omit<ProgramSettings, 'description' | 'subscribedApplications' | 'programJoinPolicy' | 'returnPolicy'>
  & Partial<Pick<ProgramSettings, 'description' | 'subscribedApplications' | 'programJoinPolicy' | 'returnPolicy'>> & { tiers?: TierInput[] };

export function createProgram(ctx: ServiceContext, input: NewProgramInput): Promise<LoyaltyProgram> {
  return ctx.db.transaction(async (sql) => {
    const { tiers = [], ...rest } = input;
    const settings: ProgramSettings = { description: '', subscribedApplications: [], programJoinPolicy: 'not_join', returnPolicy: 'only_pending', ...rest };
    const checked = await checkSettings(sql, settings, tiers);
    const now = ctx.now().toISOString();
    const id = await insertProgram(sql, ACCOUNT_ID, settings, now);
    if (id === null) throw conflict(`A loyalty program named ${JSON.stringify(settings.name)} already exists`);
    await setProgramApplications(sql, id, settings.subscribedApplications);
    await setProgramTiers(sql, id, checked, now);
    // sessions read the subscribed programs from the Application's snapshot, refreshed by this version
    await bumpConfigVersion(sql, ACCOUNT_SCOPE);
    return loadProgram(sql, id);
  });
}
