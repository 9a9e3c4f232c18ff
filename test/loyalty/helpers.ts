/** What the loyalty tests share: a NewLoyaltyProgram body. */
export const newProgram = (apps: number[], extra: Record<string, unknown> = {}) => ({
  title: 'Points', name: `points-${Math.random().toString(36).slice(2, 8)}`, subscribedApplications: apps, defaultValidity: 'unlimited', defaultPending: 'immediate',
  allowSubledger: true, sandbox: false, timezone: 'UTC', cardBased: false, ...extra,
});
