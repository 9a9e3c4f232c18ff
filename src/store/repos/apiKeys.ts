import type { ApiKeyRecord } from '../../domain/records.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

interface Row { id: number; application_id: number; data: string; created: string; expires: string; revoked: number }
const toKey = (r: Row): ApiKeyRecord => ({ ...fromJson<Omit<ApiKeyRecord, 'id'>>(r.data), id: Number(r.id) });

export async function insertApiKey(sql: Sql, keyHash: string, rec: Omit<ApiKeyRecord, 'id'>): Promise<ApiKeyRecord> {
  const row = await sql.get<Row>(
    'INSERT INTO api_keys (application_id, key_hash, data, expires, created) VALUES (?, ?, ?, ?, ?) RETURNING *',
    [rec.applicationID, keyHash, toJson(rec), rec.expires, rec.created]);
  return toKey(row!);
}

export async function listApiKeys(sql: Sql, applicationId: number): Promise<ApiKeyRecord[]> {
  const rows = await sql.all<Row>('SELECT * FROM api_keys WHERE application_id = ? AND revoked = 0 ORDER BY id', [applicationId]);
  return rows.map(toKey);
}

export async function revokeApiKey(sql: Sql, applicationId: number, id: number): Promise<boolean> {
  return (await sql.run('UPDATE api_keys SET revoked = 1 WHERE application_id = ? AND id = ? AND revoked = 0', [applicationId, id])) > 0;
}

/** The application a key hash belongs to, if the key is neither revoked nor expired at `now`. */
export async function findKey(sql: Sql, keyHash: string, now: string): Promise<{ applicationId: number; expires: string } | undefined> {
  const row = await sql.get<Row>('SELECT application_id, expires FROM api_keys WHERE key_hash = ? AND revoked = 0 AND expires > ?', [keyHash, now]);
  return row && { applicationId: Number(row.application_id), expires: row.expires };
}

export async function insertToken(sql: Sql, tokenHash: string, userId: number, created: string, expires: string): Promise<void> {
  await sql.run('INSERT INTO auth_tokens (token_hash, user_id, created, expires) VALUES (?, ?, ?, ?)', [tokenHash, userId, created, expires]);
}

export async function findToken(sql: Sql, tokenHash: string, now: string): Promise<{ userId: number } | undefined> {
  const row = await sql.get<{ user_id: number }>('SELECT user_id FROM auth_tokens WHERE token_hash = ? AND expires > ?', [tokenHash, now]);
  return row && { userId: Number(row.user_id) };
}

export async function deleteToken(sql: Sql, tokenHash: string): Promise<void> {
  await sql.run('DELETE FROM auth_tokens WHERE token_hash = ?', [tokenHash]);
}
