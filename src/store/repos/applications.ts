import type { Application, ApplicationSettings } from '../../domain/application.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

interface Row { id: number; account_id: number; data: string; created: string; modified: string }

const toApp = (r: Row): Application => ({ ...fromJson<ApplicationSettings>(r.data), id: Number(r.id), accountId: Number(r.account_id), created: r.created, modified: r.modified });

export async function insertApplication(sql: Sql, accountId: number, s: ApplicationSettings, now: string): Promise<Application> {
  const row = await sql.get<Row>(
    'INSERT INTO applications (account_id, name, data, created, modified) VALUES (?, ?, ?, ?, ?) RETURNING *',
    [accountId, s.name, toJson(s), now, now]);
  return toApp(row!);
}

export async function updateApplication(sql: Sql, id: number, s: ApplicationSettings, now: string): Promise<Application | undefined> {
  const row = await sql.get<Row>('UPDATE applications SET name = ?, data = ?, modified = ? WHERE id = ? RETURNING *', [s.name, toJson(s), now, id]);
  return row && toApp(row);
}

export async function getApplication(sql: Sql, id: number): Promise<Application | undefined> {
  const row = await sql.get<Row>('SELECT * FROM applications WHERE id = ?', [id]);
  return row && toApp(row);
}

export async function listApplications(sql: Sql, accountId: number, page: { skip: number; limit: number }): Promise<{ total: number; data: Application[] }> {
  const total = Number((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM applications WHERE account_id = ?', [accountId]))!.n);
  const rows = await sql.all<Row>('SELECT * FROM applications WHERE account_id = ? ORDER BY id LIMIT ? OFFSET ?', [accountId, page.limit, page.skip]);
  return { total, data: rows.map(toApp) };
}
