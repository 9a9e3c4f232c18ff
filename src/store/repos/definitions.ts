/** Account-wide definitions: additional costs and custom attributes. */
import type { AdditionalCostDef, AttributeDef } from '../../domain/records.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

interface Row { id: number; data: string }

export async function insertAdditionalCost(sql: Sql, def: Omit<AdditionalCostDef, 'id'>): Promise<AdditionalCostDef> {
  const row = await sql.get<Row>('INSERT INTO additional_costs (account_id, name, data, created) VALUES (?, ?, ?, ?) RETURNING id, data',
    [def.accountId, def.name, toJson(def), def.created]);
  return { ...fromJson<AdditionalCostDef>(row!.data), id: Number(row!.id) };
}

export async function updateAdditionalCost(sql: Sql, def: AdditionalCostDef): Promise<boolean> {
  const { id, ...data } = def;
  return (await sql.run('UPDATE additional_costs SET name = ?, data = ? WHERE id = ? AND account_id = ?', [def.name, toJson(data), id, def.accountId])) > 0;
}

export async function listAdditionalCosts(sql: Sql, accountId: number): Promise<AdditionalCostDef[]> {
  const rows = await sql.all<Row>('SELECT id, data FROM additional_costs WHERE account_id = ? ORDER BY id', [accountId]);
  return rows.map((r) => ({ ...fromJson<AdditionalCostDef>(r.data), id: Number(r.id) }));
}

export async function insertAttribute(sql: Sql, def: Omit<AttributeDef, 'id'>): Promise<AttributeDef> {
  const row = await sql.get<Row>('INSERT INTO attributes (account_id, entity, name, event_type, data, created) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, data',
    [def.accountId, def.entity, def.name, def.eventType ?? '', toJson(def), def.created]);
  return { ...fromJson<AttributeDef>(row!.data), id: Number(row!.id) };
}

export async function updateAttributeDef(sql: Sql, def: AttributeDef): Promise<boolean> {
  const { id, ...data } = def;
  return (await sql.run('UPDATE attributes SET data = ? WHERE id = ? AND account_id = ?', [toJson(data), id, def.accountId])) > 0;
}

export async function listAttributes(sql: Sql, accountId: number): Promise<AttributeDef[]> {
  const rows = await sql.all<Row>('SELECT id, data FROM attributes WHERE account_id = ? ORDER BY id', [accountId]);
  return rows.map((r) => ({ ...fromJson<AttributeDef>(r.data), id: Number(r.id) }));
}


// --- Management API (custom attributes and additional costs) ---------------------------------

/** Inserts unless (account, entity, eventType, name) exists — race-free; undefined on a duplicate. */
export async function insertAttributeIfNew(sql: Sql, def: Omit<AttributeDef, 'id'>): Promise<AttributeDef | undefined> {
  const row = await sql.get<Row>(
    `INSERT INTO attributes (account_id, entity, name, event_type, data, created) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, entity, event_type, name) DO NOTHING RETURNING id, data`,
    [def.accountId, def.entity, def.name, def.eventType ?? '', toJson(def), def.created]);
  return row && { ...fromJson<AttributeDef>(row.data), id: Number(row.id) };
}

export async function getAttributeById(sql: Sql, accountId: number, id: number): Promise<AttributeDef | undefined> {
  const row = await sql.get<Row>('SELECT id, data FROM attributes WHERE account_id = ? AND id = ?', [accountId, id]);
  return row && { ...fromJson<AttributeDef>(row.data), id: Number(row.id) };
}

/** Inserts unless (account, name) exists — race-free; undefined on a duplicate. */
export async function insertAdditionalCostIfNew(sql: Sql, def: Omit<AdditionalCostDef, 'id'>): Promise<AdditionalCostDef | undefined> {
  const row = await sql.get<Row>(
    'INSERT INTO additional_costs (account_id, name, data, created) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, name) DO NOTHING RETURNING id, data',
    [def.accountId, def.name, toJson(def), def.created]);
  return row && { ...fromJson<AdditionalCostDef>(row.data), id: Number(row.id) };
}

export async function getAdditionalCostById(sql: Sql, accountId: number, id: number): Promise<AdditionalCostDef | undefined> {
  const row = await sql.get<Row>('SELECT id, data FROM additional_costs WHERE account_id = ? AND id = ?', [accountId, id]);
  return row && { ...fromJson<AdditionalCostDef>(row.data), id: Number(row.id) };
}
