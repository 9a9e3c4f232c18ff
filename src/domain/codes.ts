/**
 * Currency codes and time zones an Application may name: ISO 4217 codes and IANA time zone names, as the
 * runtime's ICU data knows them (docs/cli.md, "Currency and time zone"). Each check answers why a value is
 * refused, or null when it is accepted.
 */

/** ISO 4217 codes in use (ICU's list: 162 on Node 20 — no funds, metals, test or withdrawn codes). */
let currencies: ReadonlySet<string> | undefined;
/** IANA zones: ICU's canonical list (no aliases, no `UTC`); aliases are checked by Intl.DateTimeFormat. */
let zones: ReadonlyMap<string, string> | undefined;

export function currencyProblem(code: string): string | null {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  if (currencies.has(code)) return null;
  const hint = currencies.has(code.toUpperCase()) ? ` (did you mean ${code.toUpperCase()}?)` : ' (such as EUR, USD or GBP)';
  return `currency must be an ISO 4217 currency code${hint}; got ${JSON.stringify(code)}`;
}

export function timezoneProblem(zone: string): string | null {
  zones ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((z) => [z.toLowerCase(), z]));
  const exact = zones.get(zone.toLowerCase());
  if (exact === zone) return null;
  // an alias the tz database keeps (Etc/UTC, GMT, US/Eastern, Asia/Calcutta, EST5EDT): spelled as IANA
  // spells names, each part starting with a capital, and not a case-variant of the name it stands for
  if (exact === undefined && /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) {
    const resolved = resolvedZone(zone);
    if (resolved !== null && (resolved === zone || resolved.toLowerCase() !== zone.toLowerCase())) return null;
  }
  const hint = exact !== undefined ? ` (did you mean ${exact}?)` : ' (such as Europe/Berlin, America/New_York or UTC)';
  return `timezone must be an IANA time zone name${hint}; got ${JSON.stringify(zone)}`;
}

function resolvedZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
