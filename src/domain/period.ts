import type { LimitConfig } from './campaign.js';

/** Start of the period containing `now` in the Application's timezone; '' for lifetime limits; weeks start on Monday (docs/campaigns.md). */
export function periodStart(period: LimitConfig['period'], now: Date, timezone: string): string {
  if (!period) return '';
  let parts: Record<string, string>;
  try {
    parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now).map((p) => [p.type, p.value]));
  } catch {
    parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now).map((p) => [p.type, p.value]));
  }
  const { year, month, day } = parts;
  if (period === 'yearly') return `${year}`;
  if (period === 'monthly') return `${year}-${month}`;
  if (period === 'daily') return `${year}-${month}-${day}`;
  const local = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const monday = new Date(local.getTime() - ((local.getUTCDay() + 6) % 7) * 86_400_000);
  return `W${monday.toISOString().slice(0, 10)}`;
}

