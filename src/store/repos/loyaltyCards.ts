/**
 * Loyalty cards (docs/loyalty-cards.md): one row per card of a card-based program, unique identifier per
 * program; the profiles linked to each card; and the moves a transfer makes (ledgers, entries, links).
 */
import type { CardProfile, CardStatus, LoyaltyCard } from '../../domain/loyaltyCard.js';
import type { Param, Sql } from '../db.js';
import { inChunks, inList, rowsPerStatement, valuesPlaceholders } from './params.js';

interface CardRow {
  id: number; program_id: number; identifier: string; status: CardStatus; block_reason: string | null; users_per_card_limit: number | null;
  batch_id: string | null; import_id: number | null; old_card_identifier: string | null; new_card_identifier: string | null; created: string; modified: string;
}

function toCard(r: CardRow, profiles: CardProfile[]): LoyaltyCard {
  const c: LoyaltyCard = {
    id: Number(r.id), programId: Number(r.program_id), identifier: r.identifier, status: r.status, usersPerCardLimit: Number(r.users_per_card_limit ?? 0),
    created: r.created, modified: r.modified, profiles,
  };
  if (r.block_reason !== null && r.block_reason !== undefined) c.blockReason = r.block_reason;
  if (r.batch_id) c.batchId = r.batch_id;
  if (r.import_id !== null && r.import_id !== undefined) c.importId = Number(r.import_id);
  if (r.old_card_identifier) c.oldCardIdentifier = r.old_card_identifier;
  if (r.new_card_identifier) c.newCardIdentifier = r.new_card_identifier;
  return c;
}

export interface NewCard { programId: number; identifier: string; status: CardStatus; usersPerCardLimit: number; batchId?: string; oldCardIdentifier?: string; created: string }

const COLUMNS = ['program_id', 'identifier', 'status', 'users_per_card_limit', 'batch_id', 'old_card_identifier', 'created', 'modified'] as const;
const rowParams = (c: NewCard): Param[] => [c.programId, c.identifier, c.status, c.usersPerCardLimit, c.batchId ?? null, c.oldCardIdentifier ?? null, c.created, c.created];

/**
 * Inserts cards with multi-row INSERTs (as many rows per statement as the store's parameter limit holds),
 * skipping identifiers the program has already (also a concurrent insert's): answers the identifiers inserted.
 */
export async function insertCards(sql: Sql, cards: readonly NewCard[]): Promise<Set<string>> {
  return new Set((await insertCardRows(sql, cards, null)).keys());
}

/** Imported cards (`import_id` set), as `insertCards`: answers the id of each identifier inserted. */
export const insertImportedCards = (sql: Sql, cards: readonly NewCard[], importId: number): Promise<Map<string, number>> => insertCardRows(sql, cards, importId);

async function insertCardRows(sql: Sql, cards: readonly NewCard[], importId: number | null): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const columns = [...COLUMNS, 'import_id'];
  const chunk = rowsPerStatement(sql.dialect, columns.length);
  for (let i = 0; i < cards.length; i += chunk) {
    const part = cards.slice(i, i + chunk);
    const rows = await sql.all<{ id: number; identifier: string }>(
      `INSERT INTO loyalty_cards (${columns.join(', ')}) VALUES ${valuesPlaceholders(part.length, columns.length)} ON CONFLICT (program_id, identifier) DO NOTHING RETURNING id, identifier`,
      part.flatMap((c) => [...rowParams(c), importId]));
    for (const r of rows) out.set(r.identifier, Number(r.id));
  }
  return out;
}

/** The profiles linked to each card, oldest link first. */
async function cardProfiles(sql: Sql, cardIds: readonly number[]): Promise<Map<number, CardProfile[]>> {
  const out = new Map<number, CardProfile[]>(cardIds.map((id) => [id, []]));
  for (const chunk of inChunks(sql.dialect, cardIds)) {
    const rows = await sql.all<{ card_id: number; integration_id: string; created: string }>(
      `SELECT card_id, integration_id, created FROM loyalty_card_profiles WHERE card_id IN (${inList(chunk.length)}) ORDER BY created, integration_id`, chunk);
    for (const r of rows) out.get(Number(r.card_id))?.push({ integrationId: r.integration_id, timestamp: r.created });
  }
  return out;
}

async function withProfiles(sql: Sql, rows: CardRow[]): Promise<LoyaltyCard[]> {
  const profiles = await cardProfiles(sql, rows.map((r) => Number(r.id)));
  return rows.map((r) => toCard(r, profiles.get(Number(r.id)) ?? []));
}

/** The card of the program with this identifier (exact match), optionally locked (PostgreSQL FOR UPDATE; SQLite runs one writer at a time). */
export async function getCard(sql: Sql, programId: number, identifier: string, lock = false): Promise<LoyaltyCard | undefined> {
  const row = await sql.get<CardRow>(`SELECT * FROM loyalty_cards WHERE program_id = ? AND identifier = ?${lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
    [programId, identifier]);
  return row ? (await withProfiles(sql, [row]))[0] : undefined;
}

export interface CardQuery { programId: number; identifier?: string; profileId?: number; batchId?: string; sort?: string }

const SORTABLE: Record<string, string> = { id: 'id', created: 'created', identifier: 'identifier', modified: 'modified', status: 'status', batchId: 'batch_id' };
export const CARD_SORT_FIELDS = Object.keys(SORTABLE);

/** One page of the program's cards (`limit` after `skip`), by `sort` (a field, `-` for descending; default id). */
export async function listCards(sql: Sql, q: CardQuery, skip: number, limit: number): Promise<LoyaltyCard[]> {
  const where = ['c.program_id = ?'];
  const params: Param[] = [q.programId];
  if (q.identifier !== undefined) { where.push('c.identifier = ?'); params.push(q.identifier); }
  if (q.batchId !== undefined) { where.push('c.batch_id = ?'); params.push(q.batchId); }
  if (q.profileId !== undefined) {
    where.push('c.id IN (SELECT lp.card_id FROM loyalty_card_profiles lp JOIN profiles p ON p.integration_id = lp.integration_id WHERE p.id = ?)');
    params.push(q.profileId);
  }
  const desc = q.sort?.startsWith('-') ?? false;
  const column = SORTABLE[(q.sort ?? 'id').replace(/^-/, '')] ?? 'id';
  const rows = await sql.all<CardRow>(`SELECT c.* FROM loyalty_cards c WHERE ${where.join(' AND ')} ORDER BY c.${column} ${desc ? 'DESC' : 'ASC'}, c.id ${desc ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
    [...params, limit, skip]);
  return withProfiles(sql, rows);
}

/** Links a profile; false when it was linked already. */
export async function linkProfile(sql: Sql, cardId: number, integrationId: string, now: string): Promise<boolean> {
  return (await sql.run('INSERT INTO loyalty_card_profiles (card_id, integration_id, created) VALUES (?, ?, ?) ON CONFLICT (card_id, integration_id) DO NOTHING',
    [cardId, integrationId, now])) > 0;
}

/** Unlinks a profile; false when it was not linked. */
export async function unlinkProfile(sql: Sql, cardId: number, integrationId: string): Promise<boolean> {
  return (await sql.run('DELETE FROM loyalty_card_profiles WHERE card_id = ? AND integration_id = ?', [cardId, integrationId])) > 0;
}

export async function setCardStatus(sql: Sql, id: number, status: CardStatus, now: string): Promise<void> {
  await sql.run('UPDATE loyalty_cards SET status = ?, modified = ? WHERE id = ?', [status, now, id]);
}

/** Blocks a transferred card: inactive, with the reason and the identifier of the card that took its data. */
export async function blockCard(sql: Sql, id: number, reason: string, newIdentifier: string, now: string): Promise<void> {
  await sql.run("UPDATE loyalty_cards SET status = 'inactive', block_reason = ?, new_card_identifier = ?, modified = ? WHERE id = ?", [reason, newIdentifier, now, id]);
}

/** Deletes the card and its links; its ledgers stay as history no card reaches. */
export async function deleteCard(sql: Sql, id: number): Promise<void> {
  await sql.run('DELETE FROM loyalty_card_profiles WHERE card_id = ?', [id]);
  await sql.run('DELETE FROM loyalty_cards WHERE id = ?', [id]);
}

/** A transfer's data move: the card's ledgers (counters, buckets and entries with them), its entries' card id and its linked profiles. */
export async function moveCardData(sql: Sql, programId: number, fromId: number, toId: number): Promise<void> {
  await sql.run("UPDATE loyalty_ledgers SET owner_id = ? WHERE program_id = ? AND owner_kind = 'card' AND owner_id = ?", [String(toId), programId, String(fromId)]);
  await sql.run("UPDATE loyalty_transactions SET card_id = ? WHERE program_id = ? AND owner_kind = 'card' AND card_id = ?", [toId, programId, fromId]);
  await sql.run('UPDATE loyalty_card_profiles SET card_id = ? WHERE card_id = ?', [toId, fromId]);
}

/** Card identifiers by id (for ledger entries, which keep the card's id). */
export async function cardIdentifiers(sql: Sql, ids: readonly number[]): Promise<Map<number, string>> {
  return new Map([...(await cardStates(sql, ids))].map(([id, c]) => [id, c.identifier]));
}

export interface CardExportQuery { programId: number; batchId?: string; createdBefore?: string; createdAfter?: string }

/** Up to `limit` cards of the program with an id above `afterId`, in id order, with their profiles: one page of the cards export (a keyset scan). */
export async function cardsAfter(sql: Sql, q: CardExportQuery, afterId: number, limit: number): Promise<LoyaltyCard[]> {
  const where = ['program_id = ?', 'id > ?'];
  const params: Param[] = [q.programId, afterId];
  if (q.batchId !== undefined) { where.push('batch_id = ?'); params.push(q.batchId); }
  if (q.createdBefore !== undefined) { where.push('created < ?'); params.push(q.createdBefore); }
  if (q.createdAfter !== undefined) { where.push('created > ?'); params.push(q.createdAfter); }
  return withProfiles(sql, await sql.all<CardRow>(`SELECT * FROM loyalty_cards WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, limit]));
}

/** Identifier and status of cards by id (for the card balances export, whose ledgers keep the card's id). */
export async function cardStates(sql: Sql, ids: readonly number[]): Promise<Map<number, { identifier: string; status: CardStatus }>> {
  const out = new Map<number, { identifier: string; status: CardStatus }>();
  for (const chunk of inChunks(sql.dialect, [...new Set(ids)])) {
    for (const r of await sql.all<{ id: number; identifier: string; status: CardStatus }>(`SELECT id, identifier, status FROM loyalty_cards WHERE id IN (${inList(chunk.length)})`, chunk)) {
      out.set(Number(r.id), { identifier: r.identifier, status: r.status });
    }
  }
  return out;
}

/** Links many (card, profile) pairs at once (multi-row INSERTs; a pair linked already is left as it is). */
export async function linkProfiles(sql: Sql, links: readonly { cardId: number; integrationId: string }[], now: string): Promise<void> {
  const chunk = rowsPerStatement(sql.dialect, 3);
  for (let i = 0; i < links.length; i += chunk) {
    const part = links.slice(i, i + chunk);
    await sql.run(`INSERT INTO loyalty_card_profiles (card_id, integration_id, created) VALUES ${valuesPlaceholders(part.length, 3)} ON CONFLICT (card_id, integration_id) DO NOTHING`,
      part.flatMap((l) => [l.cardId, l.integrationId, now]));
  }
}
