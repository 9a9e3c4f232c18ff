/** Checks of a program's settings shared by create and update (docs/loyalty.md, "Programs"). */
import { timezoneProblem } from '../../domain/codes.js';
import { invalidField, Title } from '../../domain/errors.js';
import { durationProblem, type ProgramSettings } from '../../domain/loyalty.js';
import { dec, type Decimal } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { getApplication } from '../../store/repos/applications.js';

export interface TierInput { name: string; minPoints: number }

/** Every check that does not depend on whether the program has transactions; answers the tiers as decimals. */
export async function checkSettings(sql: Sql, s: ProgramSettings, tiers: readonly TierInput[]): Promise<{ name: string; minPoints: Decimal }[]> {
  const tz = timezoneProblem(s.timezone);
  if (tz) throw invalidField('/timezone', Title.invalidValue, tz);
  const fields = [['defaultValidity', ['unlimited']], ['defaultPending', ['immediate', 'on_action']], ['tiersExpireIn', []]] as const;
  for (const [field, words] of fields) {
    const v = s[field];
    const problem = v === undefined ? null : durationProblem(v, words);
    if (problem) throw invalidField(`/${field}`, Title.invalidValue, `${field} ${problem}`);
  }
  if (s.tiersExpirationPolicy === 'absolute_expiration' && s.tierCycleStartDate === undefined) {
    throw invalidField('/tierCycleStartDate', Title.required, 'tierCycleStartDate is required when tiersExpirationPolicy is absolute_expiration');
  }
  for (const [i, id] of s.subscribedApplications.entries()) {
    const app = await getApplication(sql, id);
    if (!app) throw invalidField(`/subscribedApplications/${i}`, Title.unknown, `Application ${id} does not exist`);
    if ((app.sandbox ?? false) !== s.sandbox) {
      throw invalidField(`/subscribedApplications/${i}`, Title.invalidValue, `Application ${id} is ${app.sandbox ? 'a sandbox' : 'a live'} Application; a ${s.sandbox ? 'sandbox' : 'live'} program can only be used by ${s.sandbox ? 'sandbox' : 'live'} Applications`);
    }
  }
  const seen = new Set<string>();
  return tiers.map((t, i) => {
    if (seen.has(t.name)) throw invalidField(`/tiers/${i}/name`, Title.duplicate, `Tier name ${JSON.stringify(t.name)} appears twice`);
    seen.add(t.name);
    return { name: t.name, minPoints: dec(t.minPoints) };
  });
}
