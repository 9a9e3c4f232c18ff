/** Profiles are deployment-wide, so their lock is too: one writer per profile integration id at a time. */
export const profileLockKey = (integrationId: string) => `profile:${integrationId}`;
