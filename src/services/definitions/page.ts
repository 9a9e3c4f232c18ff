/** Sorting and paging of small account-wide lists (definitions are few and read whole). */
import { invalidParameter, Title } from '../../domain/errors.js';

/** A field's value as sort text: strings as they are, absent as '', anything else as its JSON. */
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

export interface PageRequest { skip: number; limit: number; sort?: string | undefined }

/**
 * Sorts by one of `fields` (`-field` for descending, Talon.One's convention), then pages.
 * Ties keep id order, so pages are stable.
 */
export function sortAndPage<T extends { id: number }>(items: T[], page: PageRequest, fields: readonly (keyof T & string)[], fallback: keyof T & string = 'id'): { total: number; data: T[] } {
  const sort = page.sort && page.sort !== '' ? page.sort : fallback;
  const desc = sort.startsWith('-');
  const field = (desc ? sort.slice(1) : sort) as keyof T & string;
  if (!fields.includes(field)) {
    throw invalidParameter('sort', Title.invalidValue, `sort must be one of ${fields.flatMap((f) => [f, `-${f}`]).join(', ')}`);
  }
  const cmp = (a: T, b: T): number => {
    const x = a[field] as unknown;
    const y = b[field] as unknown;
    let c: number;
    if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else {
      // code-point order, independent of the process locale (like ORDER BY under the C collation)
      const [sx, sy] = [text(x), text(y)];
      c = sx < sy ? -1 : sx > sy ? 1 : 0;
    }
    return c !== 0 ? c : a.id - b.id;
  };
  const sorted = [...items].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
  return { total: sorted.length, data: sorted.slice(page.skip, page.skip + page.limit) };
}
