/** One writer per session at a time (services/exclusive.ts): returns, reopens and updates of a session share its key. */
export const sessionLockKey = (applicationId: number, integrationId: string) => `session:${applicationId}:${integrationId}`;
