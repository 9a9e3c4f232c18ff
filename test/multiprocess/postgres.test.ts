/**
 * Two real OpenPromo server processes on one PostgreSQL schema (architecture.md "Scale-out"):
 * the per-session lock, the first write of a new session id and the profile counters must hold
 * across processes, not just inside one. Skipped locally without PostgreSQL; fails under CI=true.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ACCOUNT_ID } from '../../src/domain/application.js';
import { Decimal } from '../../src/domain/money.js';
import type { Database } from '../../src/store/db.js';
import { openDatabase } from '../../src/store/open.js';
import { listSessionEvents } from '../../src/store/repos/events.js';
import { getProfile } from '../../src/store/repos/profiles.js';
import { dropTestSchemas, freshPostgresUrl } from '../helpers/stores.js';

import { startNode, stopNode, MANAGEMENT_KEY, type Node } from '../helpers/nodes.js';

type Json = Record<string, any>;  

describe('two OpenPromo processes on one PostgreSQL', () => {
  const nodes: Node[] = [];
  let db: Database | undefined;
  let key = '';

  before(async () => {
    const url = await freshPostgresUrl();
    if (!url) return;
    // both start at once, so their migrations race as well
    nodes.push(...await Promise.all([startNode(url), startNode(url)]));
    db = openDatabase(url);
    const mgmt = (path: string, body: unknown) => fetch(`${nodes[0].base}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}`, 'content-type': 'application/json' },
    });
    const app = await mgmt('/v1/applications', { name: 'Multi', currency: 'EUR', timezone: 'UTC' });
    assert.equal(app.status, 201, await app.clone().text());
    const appId = (await app.json() as Json).id as number;
    const k = await mgmt(`/v1/applications/${appId}/api_keys`, { title: 'mp', expires: '2099-01-01T00:00:00Z' });
    assert.equal(k.status, 201);
    key = (await k.json() as Json).key as string;
  });

  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await db?.close();
    await dropTestSchemas();
  });

  const it = (name: string, fn: (t: TestContext) => Promise<void>): void => {
    test(name, async (t) => {
      if (!db) return t.skip('PostgreSQL not available');
      try {
        await fn(t);
      } catch (err) {
        for (const [i, n] of nodes.entries()) if (n.output()) t.diagnostic(`node ${i} output: ${n.output().slice(-2000)}`);
        throw err;
      }
    });
  };

  /** request `i` goes to node i % 2 */
  async function call(i: number, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const r = await fetch(`${nodes[i % nodes.length].base}${path}`, {
      method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      headers: { authorization: `ApiKey-v1 ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    });
    return { status: r.status, body: await r.json() as Json };
  }
  const put = (i: number, id: string, customerSession: unknown) => call(i, 'PUT', `/v2/customer_sessions/${encodeURIComponent(id)}`, { customerSession });
  const sessionEvents = async (id: string) => db!.transaction(async (sql) => {
    const appId = (await sql.get<{ id: number }>('SELECT id FROM applications ORDER BY id LIMIT 1'))!.id;
    return listSessionEvents(sql, Number(appId), id);
  });

  /** 20 concurrent PUTs on one id, split across both processes: no lost update. */
  async function hammer(id: string, existingUpdates: number, staggerMs = 0) {
    const rs = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      if (staggerMs) await new Promise((r) => setTimeout(r, i * staggerMs));
      return put(i, id, { cartItems: [{ sku: `s${i}`, price: i + 1, quantity: 1 }] });
    }));
    for (const r of rs) {
      assert.ok(r.status === 200 || r.status === 409, `${r.status} ${JSON.stringify(r.body)}`);
      if (r.status === 409) assert.equal(typeof r.body.message, 'string');
    }
    const wins = rs.filter((r) => r.status === 200);
    assert.ok(wins.length >= 1, 'at least one request wins');
    const counts = wins.map((r) => r.body.customerSession.updateCount as number).sort((a, b) => a - b);
    assert.deepEqual(counts, Array.from({ length: wins.length }, (_, i) => existingUpdates + i + 1), 'every winner saw the previous winner');
    const g = await call(0, 'GET', `/v2/customer_sessions/${encodeURIComponent(id)}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.customerSession.updateCount, existingUpdates + wins.length, 'final updateCount = number of 200s');
    // the stored cart is the one of the last winner
    const last = wins.find((r) => r.body.customerSession.updateCount === existingUpdates + wins.length)!;
    assert.deepEqual(g.body.customerSession.cartItems, last.body.customerSession.cartItems);
    assert.equal((await sessionEvents(id)).length, existingUpdates + wins.length, 'one event per accepted update');
    return wins.length;
  }

  it('(a) 20 concurrent PUTs on one session across both processes: only 200 or 409, no lost update', async (t) => {
    // the first write of a brand-new id races too
    const fresh = `mp-a-${Date.now()}`;
    const first = await hammer(fresh, 0);
    const second = await hammer(fresh, first);
    // staggered: some requests overlap, some follow each other, so several win in one round
    const third = await hammer(fresh, first + second, 3);
    const fourth = await hammer(fresh, first + second + third, 8);
    t.diagnostic(`accepted per round of 20: ${first}, ${second}, ${third}, ${fourth}`);
    const events = (await sessionEvents(fresh)).map((e) => e.type);
    assert.equal(events.filter((t) => t === 'talon_session_created').length, 1, 'created exactly once');
  });

  it('(b) 40 concurrent creates for one new profile across both processes: all 200, one profile, one first session', async () => {
    const pid = `mp-b-profile-${Date.now()}`;
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      put(i, `mp-b-${i}-${pid}`, { profileId: pid, cartItems: [{ sku: 'x', price: 1, quantity: 1 }] })));
    for (const r of rs) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(new Set(rs.map((r) => r.body.customerSession.id)).size, 40);
    const n = await db!.transaction((sql) => sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM profiles WHERE integration_id = ?', [pid]));
    assert.equal(Number(n!.n), 1, 'exactly one profile row');
    assert.equal(rs.filter((r) => r.body.customerSession.firstSession === true).length, 1, 'exactly one firstSession');
    const p = await db!.transaction((sql) => getProfile(sql, ACCOUNT_ID, pid));
    assert.deepEqual([p!.closedSessions, p!.totalSales.toString()], [0, '0']);
  });

  it('(c) closing N sessions of one profile concurrently from both processes: exact counters', async () => {
    const N = 24;
    const pid = `mp-c-profile-${Date.now()}`;
    const price = (i: number) => Number(`${i}.${String(i * 7 % 100).padStart(2, '0')}`) + 0.001; // e.g. 3.211, awkward in binary
    const ids = Array.from({ length: N }, (_, i) => `mp-c-${i}-${pid}`);
    const created = await Promise.all(ids.map((id, i) => put(i, id, {
      profileId: pid, cartItems: [{ sku: 'x', price: price(i), quantity: (i % 3) + 1 }, { sku: 'y', price: 0.1, quantity: 1 }],
    })));
    for (const r of created) assert.equal(r.status, 200, JSON.stringify(r.body));
    let expected = new Decimal(0);
    for (let i = 0; i < N; i++) expected = expected.plus(new Decimal(price(i)).times((i % 3) + 1)).plus('0.1');

    const closed = await Promise.all(ids.map((id, i) => put(i + 1, id, { state: 'closed' })));
    for (const r of closed) assert.equal(r.status, 200, JSON.stringify(r.body));
    let p = (await db!.transaction((sql) => getProfile(sql, ACCOUNT_ID, pid)))!;
    assert.equal(p.closedSessions, N);
    assert.equal(p.totalSales.toString(), expected.toString());

    // revoke half and reopen a quarter, concurrently, from both processes
    const revoke = ids.filter((_, i) => i % 2 === 0);
    const reopen = ids.filter((_, i) => i % 4 === 1);
    const rs = await Promise.all([
      ...revoke.map((id, i) => put(i, id, { state: 'cancelled' })),
      ...reopen.map((id, i) => call(i + 1, 'PUT', `/v2/customer_sessions/${encodeURIComponent(id)}/reopen`)),
    ]);
    for (const r of rs) assert.equal(r.status, 200, JSON.stringify(r.body));
    let remaining = new Decimal(0);
    ids.forEach((_, i) => {
      if (i % 2 === 0 || i % 4 === 1) return;
      remaining = remaining.plus(new Decimal(price(i)).times((i % 3) + 1)).plus('0.1');
    });
    p = (await db!.transaction((sql) => getProfile(sql, ACCOUNT_ID, pid)))!;
    assert.equal(p.closedSessions, N - revoke.length - reopen.length);
    assert.equal(p.totalSales.toString(), remaining.toString());
  });

  it('(d) racing reopens of one closed session: exactly one succeeds, counters move once', async () => {
    const pid = `mp-d-profile-${Date.now()}`;
    const id = `mp-d-${pid}`;
    assert.equal((await put(0, id, { profileId: pid, state: 'closed', cartItems: [{ sku: 'x', price: 19.99, quantity: 3 }] })).status, 200);
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i, 'PUT', `/v2/customer_sessions/${encodeURIComponent(id)}/reopen`)));
    for (const r of rs) assert.ok([200, 400, 409].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(rs.filter((r) => r.status === 200).length, 1);
    const p = (await db!.transaction((sql) => getProfile(sql, ACCOUNT_ID, pid)))!;
    assert.deepEqual([p.closedSessions, p.totalSales.toString()], [0, '0']);
    assert.deepEqual((await sessionEvents(id)).map((e) => e.type), ['talon_session_created', 'talon_session_reopened']);
  });
});
