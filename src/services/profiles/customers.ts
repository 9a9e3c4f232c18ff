/** Customer data (Management API): getCustomerProfile and getApplicationCustomer. */
import { ACCOUNT_ID } from '../../domain/application.js';
import { notFound } from '../../domain/errors.js';
import type { CustomerProfile } from '../../domain/profile.js';
import { getApplication } from '../../store/repos/applications.js';
import { getProfileById } from '../../store/repos/profiles.js';
import { profileHasSession } from '../../store/repos/sessions.js';
import type { ServiceContext } from '../context.js';

/** A profile by its internal id; profiles are deployment-wide. */
export async function getCustomerProfile(ctx: ServiceContext, profileId: number): Promise<CustomerProfile> {
  const profile = await ctx.db.transaction((sql) => getProfileById(sql, ACCOUNT_ID, profileId));
  if (!profile) throw notFound('Customer profile');
  return profile;
}

/**
 * A profile seen through one Application: it is that Application's customer only once it has a
 * session there (in any state), otherwise 404 as for an unknown id.
 */
export async function getApplicationCustomer(ctx: ServiceContext, applicationId: number, profileId: number): Promise<CustomerProfile> {
  return ctx.db.transaction(async (sql) => {
    if (!(await getApplication(sql, applicationId))) throw notFound('Application');
    const profile = await getProfileById(sql, ACCOUNT_ID, profileId);
    if (!profile || !(await profileHasSession(sql, applicationId, profile.integrationId))) throw notFound('Customer');
    return profile;
  });
}
