/**
 * Referral codes over HTTP (issue #4, referrals): creation through the Integration API (generation
 * pattern, case sensitivity, collisions, validation), management (list filters, update, delete,
 * isolation), import and export as CSV, and an advocate's friends — on both stores.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ACCOUNT_ID } from '../../src/domain/application.js';
import { bumpConfigVersion } from '../../src/store/repos/configVersions.js';
import { insertAttribute } from '../../src/store/repos/definitions.js';
import { insertReferee, redeemReferral } from '../../src/store/repos/referrals.js';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

async function referralCampaign(s: TestServer, appId: number, extra: Json = {}): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'Refer a friend', tags: [], features: ['referrals'], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  return c.json().id;
}

async function defineReferralAttribute(s: TestServer, name: string, type = 'string'): Promise<void> {
  await s.db.transaction(async (sql) => {
    await insertAttribute(sql, { accountId: ACCOUNT_ID, entity: 'Referral', name, title: name, type: type as 'string', description: '', suggestions: [], editable: true, created: new Date().toISOString() });
    await bumpConfigVersion(sql, 'account');
  });
}

const pointers = (r: { json(): Json }) => (r.json().errors ?? []).map((e: Json) => e.source.pointer ?? e.source.parameter ?? e.source.line);

/** A multipart/form-data body with one file field. */
function multipart(field: string, filename: string, content: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----openpromo${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Parses our own CSV output (quoted cells with doubled quotes, no line breaks inside cells in these tests). */
function parseCsv(text: string): string[][] {
  return text.trimEnd().split('\n').map((line) => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    return cells;
  });
}

for (const kind of STORES) {
  describe(`referrals over HTTP (${kind.name})`, () => {
    after(() => kind.cleanup());
    let s: TestServer;
    let now = new Date('2030-06-01T12:00:00Z');
    const start = async (t: { skip(m: string): void }) => {
      now = new Date('2030-06-01T12:00:00Z');
      const fresh = await freshTestServer(kind, t, () => now);
      if (!fresh) return false;
      s = fresh;
      return true;
    };

    test('createReferral: default and campaign patterns, defaults, dates in UTC, advocate profile not created', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const plain = await referralCampaign(s, a.id);
        await defineReferralAttribute(s, 'channel');
        const r = await s.integ(a.key, 'POST', '/v1/referrals', {
          campaignId: plain, advocateProfileIntegrationId: 'adv-1', friendProfileIntegrationId: 'friend-1',
          startDate: '2030-06-01T14:00:00+02:00', expiryDate: '2031-01-01T00:00:00Z', attributes: { channel: 'web' },
        });
        assert.equal(r.statusCode, 201, r.body);
        const ref = r.json();
        assert.match(ref.code, /^[A-Z0-9]{12}$/);
        assert.equal(ref.usageLimit, 1);
        assert.equal(ref.usageCounter, 0);
        assert.equal(ref.campaignId, plain);
        assert.equal(ref.advocateProfileIntegrationId, 'adv-1');
        assert.equal(ref.friendProfileIntegrationId, 'friend-1');
        assert.equal(ref.startDate, '2030-06-01T12:00:00.000Z');
        assert.equal(ref.expiryDate, '2031-01-01T00:00:00.000Z');
        assert.deepEqual(ref.attributes, { channel: 'web' });
        assert.equal(ref.created, '2030-06-01T12:00:00.000Z');
        assert.equal(typeof ref.id, 'number');
        assert.equal(ref.applicationId, undefined);

        const patterned = await referralCampaign(s, a.id, { referralSettings: { couponPattern: 'REF-###-###', validCharacters: ['X', 'Y', '7'] } });
        const p = await s.integ(a.key, 'POST', '/v1/referrals', { campaignId: patterned, advocateProfileIntegrationId: 'adv-2', usageLimit: 0 });
        assert.equal(p.statusCode, 201, p.body);
        assert.match(p.json().code, /^REF-[XY7]{3}-[XY7]{3}$/);
        assert.equal(p.json().usageLimit, 0);
        assert.equal(p.json().friendProfileIntegrationId, undefined);
        assert.equal(p.json().startDate, undefined);

        // the advocate's profile is neither required nor created
        const profiles = await s.db.transaction((sql) => sql.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM profiles'));
        assert.equal(Number(profiles!.n), 0);
        const listed = await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${patterned}/referrals/no_total`);
        assert.deepEqual(listed.json().data.map((x: Json) => x.code), [p.json().code]);
      } finally { await s.close(); }
    });

    test('case sensitivity: generated codes are stored in the Application case', async (t) => {
      if (!(await start(t))) return;
      try {
        const cases: [string, RegExp][] = [
          ['insensitive-uppercase', /^REF-[AB]{4}$/],
          ['insensitive-lowercase', /^ref-[ab]{4}$/],
          ['sensitive', /^Ref-[ab]{4}$/],
        ];
        for (const [caseSensitivity, re] of cases) {
          const a = await s.newApplication({ caseSensitivity });
          const c = await referralCampaign(s, a.id, { referralSettings: { couponPattern: 'Ref-####', validCharacters: ['a', 'b'] } });
          const r = await s.integ(a.key, 'POST', '/v1/referrals', { campaignId: c, advocateProfileIntegrationId: 'adv' });
          assert.equal(r.statusCode, 201, r.body);
          assert.match(r.json().code, re, caseSensitivity);
        }
        // validCharacters that collapse under normalisation shrink the space: a/A are one character
        const up = await s.newApplication({ caseSensitivity: 'insensitive-uppercase' });
        const c = await referralCampaign(s, up.id);
        const many = await s.integ(up.key, 'POST', '/v1/referrals_for_multiple_advocates?silent=no', {
          campaignId: c, advocateProfileIntegrationIds: ['x', 'y', 'z'], usageLimit: 1, referralPattern: 'ONE-#', validCharacters: ['a', 'A'],
        });
        assert.equal(many.statusCode, 400, many.body);
        assert.deepEqual(pointers(many), ['/referralPattern']);
      } finally { await s.close(); }
    });

    test('createReferralsForMultipleAdvocates: silent, batch, collisions regenerated, pattern full, nothing stored on failure', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const c = await referralCampaign(s, a.id);
        const silent = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates', { campaignId: c, advocateProfileIntegrationIds: ['a1', 'a2'], usageLimit: 3 });
        assert.equal(silent.statusCode, 204, silent.body);
        assert.equal(silent.body, '');
        const loud = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates?silent=no', {
          campaignId: c, advocateProfileIntegrationIds: ['b1', 'b2', 'b3'], usageLimit: 2, referralPattern: 'FR-####', validCharacters: ['Q', 'W'],
          expiryDate: '2031-01-01T00:00:00Z',
        });
        assert.equal(loud.statusCode, 201, loud.body);
        const body = loud.json();
        assert.equal(body.totalResultSize, 3);
        assert.deepEqual(body.data.map((r: Json) => r.advocateProfileIntegrationId), ['b1', 'b2', 'b3']);
        assert.ok(body.data.every((r: Json) => /^FR-[QW]{4}$/.test(r.code) && r.usageLimit === 2 && r.expiryDate === '2031-01-01T00:00:00.000Z'));
        assert.equal(new Set(body.data.map((r: Json) => r.code)).size, 3);
        assert.equal(new Set(body.data.map((r: Json) => r.batchId)).size, 1);
        assert.match(body.data[0].batchId, /^[a-z]{8}$/);
        const all = (await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/referrals/no_total`)).json().data;
        assert.equal(all.length, 5);

        // a two-code space: the second request must regenerate around the first code, the third finds it full
        const first = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates?silent=no', { campaignId: c, advocateProfileIntegrationIds: ['c1'], usageLimit: 1, referralPattern: 'TINY#', validCharacters: ['A', 'B'] });
        const second = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates?silent=no', { campaignId: c, advocateProfileIntegrationIds: ['c2'], usageLimit: 1, referralPattern: 'TINY#', validCharacters: ['A', 'B'] });
        assert.equal(second.statusCode, 201, second.body);
        assert.deepEqual([first.json().data[0].code, second.json().data[0].code].sort(), ['TINYA', 'TINYB']);
        const third = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates', { campaignId: c, advocateProfileIntegrationIds: ['c3'], usageLimit: 1, referralPattern: 'TINY#', validCharacters: ['A', 'B'] });
        assert.equal(third.statusCode, 400, third.body);
        assert.equal(third.json().errors[0].title, 'Pattern full');
        // more advocates than the space holds fails before writing anything
        const tooMany = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates', { campaignId: c, advocateProfileIntegrationIds: ['d1', 'd2', 'd3'], usageLimit: 1, referralPattern: 'NEW#', validCharacters: ['A', 'B'] });
        assert.equal(tooMany.statusCode, 400);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/referrals/no_total?advocate=d1`)).json().data.length, 0);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/referrals/no_total`)).json().data.length, 7);
      } finally { await s.close(); }
    });

    test('validation: 400 with the pointer of the field; campaigns of another Application or without the feature', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        const c = await referralCampaign(s, a.id);
        const other = await referralCampaign(s, b.id);
        const noFeature = (await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'plain', tags: [], features: [], limits: [] })).json().id;
        await defineReferralAttribute(s, 'tier', 'number');
        const base = { campaignId: c, advocateProfileIntegrationId: 'adv' };
        const cases: [Json, string][] = [
          [{ advocateProfileIntegrationId: 'adv' }, '/campaignId'],
          [{ campaignId: c }, '/advocateProfileIntegrationId'],
          [{ ...base, advocateProfileIntegrationId: '' }, '/advocateProfileIntegrationId'],
          [{ ...base, advocateProfileIntegrationId: 'x'.repeat(1001) }, '/advocateProfileIntegrationId'],
          [{ ...base, usageLimit: 1_000_000 }, '/usageLimit'],
          [{ ...base, usageLimit: -1 }, '/usageLimit'],
          [{ ...base, usageLimit: '1' }, '/usageLimit'],
          [{ ...base, campaignId: 'seven' }, '/campaignId'],
          [{ ...base, startDate: 'tomorrow' }, '/startDate'],
          [{ ...base, startDate: '2031-01-01T00:00:00Z', expiryDate: '2030-01-01T00:00:00Z' }, '/expiryDate'],
          [{ ...base, attributes: { nope: 1 } }, '/attributes/nope'],
          [{ ...base, attributes: { tier: 'gold' } }, '/attributes/tier'],
          [{ ...base, friendProfileIntegrationId: 'adv' }, '/friendProfileIntegrationId'],
          [{ ...base, campaignId: other }, '/campaignId'],
          [{ ...base, campaignId: noFeature }, '/campaignId'],
          [{ ...base, campaignId: 999_999 }, '/campaignId'],
        ];
        for (const [body, pointer] of cases) {
          const r = await s.integ(a.key, 'POST', '/v1/referrals', body);
          assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.body}`);
          assert.equal(r.json().errors[0].source.pointer, pointer, JSON.stringify(body).slice(0, 80));
        }
        const many: [Json, string][] = [
          [{ campaignId: c, advocateProfileIntegrationIds: [], usageLimit: 1 }, '/advocateProfileIntegrationIds'],
          [{ campaignId: c, advocateProfileIntegrationIds: ['a'] }, '/usageLimit'],
          [{ campaignId: c, advocateProfileIntegrationIds: new Array(1001).fill('a'), usageLimit: 1 }, '/advocateProfileIntegrationIds'],
          [{ campaignId: c, advocateProfileIntegrationIds: ['a'], usageLimit: 1, referralPattern: 'A B#' }, '/referralPattern'],
          [{ campaignId: c, advocateProfileIntegrationIds: ['a'], usageLimit: 1, referralPattern: 'AB#' }, '/referralPattern'],
          [{ campaignId: c, advocateProfileIntegrationIds: ['a'], usageLimit: 1, validCharacters: ['AB'] }, '/validCharacters/0'],
          [{ campaignId: c, advocateProfileIntegrationIds: ['a'], usageLimit: 1, validCharacters: ['#'] }, '/validCharacters/0'],
          [{ campaignId: other, advocateProfileIntegrationIds: ['a'], usageLimit: 1 }, '/campaignId'],
        ];
        for (const [body, pointer] of many) {
          const r = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates', body);
          assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.body}`);
          assert.equal(r.json().errors[0].source.pointer, pointer, JSON.stringify(body).slice(0, 80));
        }
        const badSilent = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates?silent=maybe', { campaignId: c, advocateProfileIntegrationIds: ['a'], usageLimit: 1 });
        assert.equal(badSilent.json().errors[0].source.parameter, 'silent');
        assert.equal((await s.app.inject({ method: 'POST', url: '/v1/referrals', payload: base })).statusCode, 401);
        // a management key is not an Integration key
        assert.equal((await s.mgmt('POST', '/v1/referrals', base)).statusCode, 401);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/referrals/no_total`)).json().data.length, 0);
      } finally { await s.close(); }
    });

    test('list filters, paging, sort; update and delete; isolation between Applications (404)', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        const c = await referralCampaign(s, a.id, { referralSettings: { couponPattern: 'AB-CD-####', validCharacters: ['1', '2', '3', '4', '5', '6', '7', '8', '9'] } });
        const make = async (body: Json) => {
          const r = await s.integ(a.key, 'POST', '/v1/referrals', { campaignId: c, ...body });
          assert.equal(r.statusCode, 201, r.body);
          return r.json<Json>();
        };
        const r1 = await make({ advocateProfileIntegrationId: 'ann' });
        now = new Date('2030-06-02T12:00:00Z');
        const r2 = await make({ advocateProfileIntegrationId: 'bob', expiryDate: '2030-06-10T00:00:00Z' });
        now = new Date('2030-06-03T12:00:00Z');
        const r3 = await make({ advocateProfileIntegrationId: 'ann', startDate: '2030-07-01T00:00:00Z' });
        now = new Date('2030-06-20T12:00:00Z'); // r2 has expired by now
        await s.db.transaction((sql) => redeemReferral(sql, r1.id));
        const url = `/v1/applications/${a.id}/campaigns/${c}/referrals/no_total`;
        const ids = async (q: string) => {
          const r = await s.mgmt('GET', `${url}${q}`);
          assert.equal(r.statusCode, 200, r.body);
          return r.json().data.map((x: Json) => x.id);
        };
        assert.deepEqual(await ids(''), [r1.id, r2.id, r3.id]);
        assert.deepEqual(await ids('?advocate=ann'), [r1.id, r3.id]);
        assert.deepEqual(await ids('?valid=expired'), [r2.id]);
        assert.deepEqual(await ids('?valid=validNow'), [r1.id]);
        assert.deepEqual(await ids('?valid=validFuture'), [r3.id]);
        assert.deepEqual(await ids('?usable=false'), [r1.id]);
        assert.deepEqual(await ids('?usable=true'), [r2.id, r3.id]);
        assert.deepEqual(await ids(`?createdAfter=${encodeURIComponent('2030-06-01T14:00:00+02:00')}`), [r2.id, r3.id]);
        assert.deepEqual(await ids('?createdBefore=2030-06-03T00:00:00Z'), [r1.id, r2.id]);
        assert.deepEqual(await ids('?sort=-created'), [r3.id, r2.id, r1.id]);
        // code: case-insensitive substring with non-alphanumerics folded away on both sides
        const tail = r2.code.slice(-4);
        assert.deepEqual(await ids(`?code=${encodeURIComponent(`cd${tail}`)}`), [r2.id]);
        assert.deepEqual(await ids(`?code=${encodeURIComponent(r3.code.toLowerCase().replace(/-/g, '.'))}`), [r3.id]);
        assert.deepEqual(await ids('?code=ab-cd'), [r1.id, r2.id, r3.id]);
        assert.deepEqual(await ids('?code=zz'), []);
        const page = (await s.mgmt('GET', `${url}?pageSize=2`)).json();
        assert.equal(page.hasMore, true);
        assert.deepEqual(page.data.map((x: Json) => x.id), [r1.id, r2.id]);
        const page2 = (await s.mgmt('GET', `${url}?pageSize=2&skip=2`)).json();
        assert.equal(page2.hasMore, false);
        assert.deepEqual(page2.data.map((x: Json) => x.id), [r3.id]);
        const codePage = (await s.mgmt('GET', `${url}?code=abcd&pageSize=1&skip=1`)).json();
        assert.deepEqual([codePage.hasMore, codePage.data.map((x: Json) => x.id)], [true, [r2.id]]);
        assert.deepEqual(pointers(await s.mgmt('GET', `${url}?valid=sometimes`)), ['valid']);
        assert.deepEqual(pointers(await s.mgmt('GET', `${url}?sort=code`)), ['sort']);
        assert.deepEqual(pointers(await s.mgmt('GET', `${url}?createdAfter=yesterday`)), ['createdAfter']);

        // update: omitted keeps, null clears, attributes replace
        await defineReferralAttribute(s, 'channel');
        const ref = `/v1/applications/${a.id}/campaigns/${c}/referrals/${r2.id}`;
        const u1 = await s.mgmt('PUT', ref, { usageLimit: 5, friendProfileIntegrationId: 'fred', startDate: '2030-06-01T00:00:00Z', attributes: { channel: 'mail' } });
        assert.equal(u1.statusCode, 200, u1.body);
        assert.equal(u1.json().usageLimit, 5);
        assert.equal(u1.json().friendProfileIntegrationId, 'fred');
        assert.equal(u1.json().expiryDate, '2030-06-10T00:00:00.000Z');
        assert.equal(u1.json().code, r2.code);
        const u2 = await s.mgmt('PUT', ref, { expiryDate: null, friendProfileIntegrationId: null });
        assert.equal(u2.statusCode, 200, u2.body);
        assert.equal(u2.json().expiryDate, undefined);
        assert.equal(u2.json().friendProfileIntegrationId, undefined);
        assert.equal(u2.json().startDate, '2030-06-01T00:00:00.000Z');
        assert.deepEqual(u2.json().attributes, { channel: 'mail' });
        assert.equal(u2.json().usageLimit, 5);
        assert.deepEqual(await ids('?valid=expired'), []);
        assert.deepEqual(pointers(await s.mgmt('PUT', ref, { usageLimit: 1_000_000 })), ['/usageLimit']);
        assert.deepEqual(pointers(await s.mgmt('PUT', ref, { expiryDate: '2030-05-01T00:00:00Z' })), ['/expiryDate']);
        assert.deepEqual(pointers(await s.mgmt('PUT', ref, { friendProfileIntegrationId: 'bob' })), ['/friendProfileIntegrationId']);
        assert.deepEqual(pointers(await s.mgmt('PUT', ref, { attributes: { nope: 1 } })), ['/attributes/nope']);
        assert.deepEqual(pointers(await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${c}/referrals/abc`, {})), ['referralId']);
        assert.equal((await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${c}/referrals/999999`, {})).statusCode, 404);

        // isolation: another Application's path, another campaign, no key
        const otherCampaign = await referralCampaign(s, b.id);
        assert.equal((await s.mgmt('GET', `/v1/applications/${b.id}/campaigns/${c}/referrals/no_total`)).statusCode, 404);
        assert.equal((await s.mgmt('PUT', `/v1/applications/${b.id}/campaigns/${c}/referrals/${r2.id}`, { usageLimit: 9 })).statusCode, 404);
        assert.equal((await s.mgmt('PUT', `/v1/applications/${b.id}/campaigns/${otherCampaign}/referrals/${r2.id}`, { usageLimit: 9 })).statusCode, 404);
        assert.equal((await s.mgmt('DELETE', `/v1/applications/${b.id}/campaigns/${otherCampaign}/referrals/${r2.id}`)).statusCode, 404);
        const c2 = await referralCampaign(s, a.id);
        assert.equal((await s.mgmt('DELETE', `/v1/applications/${a.id}/campaigns/${c2}/referrals/${r2.id}`)).statusCode, 404);
        assert.equal((await s.app.inject({ method: 'GET', url })).statusCode, 401);
        assert.equal((await s.integ(a.key, 'GET', url)).statusCode, 401);

        const del = await s.mgmt('DELETE', ref);
        assert.equal(del.statusCode, 204);
        assert.equal((await s.mgmt('DELETE', ref)).statusCode, 404);
        assert.deepEqual(await ids(''), [r1.id, r3.id]);
        // a deleted campaign's referrals are not reachable
        await s.mgmt('DELETE', `/v1/applications/${a.id}/campaigns/${c}`);
        assert.equal((await s.mgmt('GET', url)).statusCode, 404);
      } finally { await s.close(); }
    });

    test('export: documented columns first, filters, excel dates, keyset pages beyond one page', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        const c = await referralCampaign(s, a.id);
        const c2 = await referralCampaign(s, a.id);
        await defineReferralAttribute(s, 'note');
        const one = (await s.integ(a.key, 'POST', '/v1/referrals', {
          campaignId: c, advocateProfileIntegrationId: 'adv,1', usageLimit: 3, startDate: '2030-06-01T00:00:00Z', expiryDate: '2031-06-01T00:00:00Z',
          attributes: { note: 'say "hi"' },
        })).json();
        const two = (await s.integ(a.key, 'POST', '/v1/referrals', { campaignId: c2, advocateProfileIntegrationId: 'adv2', friendProfileIntegrationId: 'f2' })).json();
        await s.integ(b.key, 'POST', '/v1/referrals', { campaignId: await referralCampaign(s, b.id), advocateProfileIntegrationId: 'elsewhere' });

        const res = await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals`);
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers['content-type']), /^application\/csv/);
        const rows = parseCsv(res.body);
        assert.deepEqual(rows[0], ['code', 'advocateprofileintegrationid', 'startdate', 'expirydate', 'limitval', 'attributes',
          'id', 'created', 'campaignid', 'friendprofileintegrationid', 'counter', 'importid', 'batchid']);
        assert.equal(rows.length, 3);
        assert.deepEqual(rows[1], [one.code, 'adv,1', '2030-06-01T00:00:00.000Z', '2031-06-01T00:00:00.000Z', '3', '{"note":"say \\"hi\\""}',
          String(one.id), '2030-06-01T12:00:00.000Z', String(c), '', '0', '', '']);
        assert.ok(res.body.includes('"adv,1"'));
        assert.deepEqual(rows[2].slice(0, 6), [two.code, 'adv2', '', '', '1', '{}']);
        assert.equal(rows[2][9], 'f2');

        const only2 = parseCsv((await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals?campaignId=${c2}`)).body);
        assert.deepEqual(only2.slice(1).map((r) => r[0]), [two.code]);
        const excel = parseCsv((await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals?dateFormat=excel&valid=validNow`)).body);
        assert.deepEqual(excel.slice(1).map((r) => [r[0], r[2], r[7]]), [[one.code, '2030-06-01 00:00:00', '2030-06-01 12:00:00'], [two.code, '', '2030-06-01 12:00:00']]);
        assert.equal(parseCsv((await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals?createdAfter=2030-06-02T00:00:00Z`)).body).length, 1);
        assert.equal((await s.mgmt('GET', '/v1/applications/999999/export_referrals')).statusCode, 404);
        assert.deepEqual(pointers(await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals?dateFormat=roman`)), ['dateFormat']);

        // more rows than one keyset page (1000): every row exactly once, in id order
        for (let i = 0; i < 2; i++) {
          const r = await s.integ(a.key, 'POST', '/v1/referrals_for_multiple_advocates', { campaignId: c, advocateProfileIntegrationIds: Array.from({ length: 1000 }, (_, k) => `bulk-${i}-${k}`), usageLimit: 1 });
          assert.equal(r.statusCode, 204, r.body);
        }
        const big = parseCsv((await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals?campaignId=${c}`)).body).slice(1);
        assert.equal(big.length, 2001);
        const exportedIds = big.map((r) => Number(r[6]));
        assert.deepEqual(exportedIds, [...exportedIds].sort((x, y) => x - y));
        assert.equal(new Set(big.map((r) => r[0])).size, 2001);
      } finally { await s.close(); }
    });

    test('importReferrals: good file (case, defaults, attributes, multi-line cells), bad lines → 400 with every line and nothing stored', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ caseSensitivity: 'insensitive-uppercase' });
        const b = await s.newApplication();
        const c = await referralCampaign(s, a.id);
        await defineReferralAttribute(s, 'my_attribute');
        const url = `/v1/applications/${a.id}/campaigns/${c}/import_referrals`;
        const upload = (csv: string, target = url, field = 'upFile') => {
          const m = multipart(field, 'referrals.csv', csv);
          return s.app.inject({ method: 'POST', url: target, payload: m.payload, headers: { ...m.headers, authorization: 'ManagementKey-v1 test-management-key' } });
        };
        const list = async () => (await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/referrals/no_total`)).json().data as Json[];

        const good = 'code,startdate,expirydate,advocateprofileintegrationid,limitval,attributes\n'
          + 'referral_code1,2020-11-10T23:00:00Z,2031-11-11T23:00:00+01:00,integid_4,1,"{""my_attribute"":\n""10_off""}"\n'
          + '\n'
          + 'REFERRAL_CODE2,,,integid1,,\n'
          + 'ref3,,,integid1,0,\n';
        const r = await upload(good);
        assert.equal(r.statusCode, 200, r.body);
        const imp = r.json();
        assert.equal(imp.amount, 3);
        assert.equal(imp.entity, 'Referral');
        assert.equal(imp.accountId, 1);
        assert.equal(typeof imp.id, 'number');
        assert.equal(imp.created, '2030-06-01T12:00:00.000Z');
        const stored = await list();
        assert.deepEqual(stored.map((x) => [x.code, x.advocateProfileIntegrationId, x.usageLimit, x.importId]), [
          ['REFERRAL_CODE1', 'integid_4', 1, imp.id], ['REFERRAL_CODE2', 'integid1', 1, imp.id], ['REF3', 'integid1', 0, imp.id],
        ]);
        assert.deepEqual(stored[0].attributes, { my_attribute: '10_off' });
        assert.equal(stored[0].startDate, '2020-11-10T23:00:00.000Z');
        assert.equal(stored[0].expiryDate, '2031-11-11T22:00:00.000Z');
        assert.equal(stored[1].startDate, undefined);
        assert.equal(new Set(stored.map((x) => x.batchId)).size, 1);

        // every bad line is reported with its file line (1 = header); nothing of the file is stored
        const bad = 'code,advocateprofileintegrationid,startdate,expirydate,limitval,attributes\n'
          + 'NEW1,adv,,,,\n'                                   // 2: fine
          + 'NEW2,adv,"2030-01-01\nT00:00:00Z",,,\n'            // 3-4: a bad date spanning two lines
          + 'ab,adv,,,,\n'                                      // 5: code too short
          + 'NEW3,,,,,\n'                                       // 6: no advocate
          + 'NEW4,adv,,,many,\n'                                // 7: bad limitval
          + 'NEW5,adv,,,,"{""nope"":1}"\n'                      // 8: unknown attribute
          + 'NEW6,adv,,,,[1]\n'                                 // 9: not an object
          + 'new1,adv,,,,\n'                                    // 10: duplicate of line 2 after case normalisation
          + 'NEW7,adv,2031-01-01T00:00:00Z,2030-01-01T00:00:00Z,,\n' // 11: expiry before start
          + 'NEW8,adv\n';                                       // 12: wrong number of cells
        const e = await upload(bad);
        assert.equal(e.statusCode, 400, e.body);
        assert.deepEqual(e.json().errors.map((x: Json) => x.source.line), ['3', '5', '6', '7', '8', '9', '10', '11', '12']);
        assert.equal((await list()).length, 3);

        // a code that exists already fails its line and rolls the whole file back
        const dup = await upload('code,advocateprofileintegrationid\nFRESH1,adv\nref3,adv\nFRESH2,adv\n');
        assert.equal(dup.statusCode, 400, dup.body);
        assert.deepEqual(dup.json().errors.map((x: Json) => [x.title, x.source.line]), [['Duplicate', '3']]);
        assert.equal((await list()).length, 3);

        const header = await upload('code,advocate,colour\nX123,adv,red\n');
        assert.equal(header.statusCode, 400);
        assert.ok(header.json().errors.every((x: Json) => x.source.line === '1'));
        assert.deepEqual(header.json().errors.map((x: Json) => x.title).sort(), ['Unknown', 'Unknown', 'required']);
        const broken = await upload('code,advocateprofileintegrationid\nA1234,"adv\n');
        assert.equal(broken.statusCode, 400);
        assert.equal(broken.json().errors[0].title, 'Invalid CSV');
        assert.equal((await upload('code,advocateprofileintegrationid\n')).statusCode, 400);
        assert.deepEqual(pointers(await upload('code,advocateprofileintegrationid\nZZZZ1,adv\n', url, 'file')), ['/upFile']);
        assert.deepEqual(pointers(await s.mgmt('POST', url, { upFile: 'x' })), ['/upFile']);
        // another Application's path, a campaign without the referrals feature
        assert.equal((await upload('code,advocateprofileintegrationid\nZZZZ2,adv\n', `/v1/applications/${b.id}/campaigns/${c}/import_referrals`)).statusCode, 404);
        const plain = (await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'plain', tags: [], features: [], limits: [] })).json().id;
        const nf = await upload('code,advocateprofileintegrationid\nZZZZ3,adv\n', `/v1/applications/${a.id}/campaigns/${plain}/import_referrals`);
        assert.equal(nf.statusCode, 400, nf.body);
        assert.equal((await list()).length, 3);

        // our export imports back (extra columns accepted, ignored) into another Application
        const exported = (await s.mgmt('GET', `/v1/applications/${a.id}/export_referrals`)).body;
        const cb = await referralCampaign(s, b.id);
        const m = multipart('upFile', 'export.csv', exported);
        const back = await s.app.inject({ method: 'POST', url: `/v1/applications/${b.id}/campaigns/${cb}/import_referrals`, payload: m.payload, headers: { ...m.headers, authorization: 'ManagementKey-v1 test-management-key' } });
        assert.equal(back.statusCode, 200, back.body);
        const copied = (await s.mgmt('GET', `/v1/applications/${b.id}/campaigns/${cb}/referrals/no_total`)).json().data as Json[];
        assert.deepEqual(copied.map((x) => [x.code, x.advocateProfileIntegrationId, x.usageLimit, x.expiryDate, x.attributes]),
          stored.map((x) => [x.code, x.advocateProfileIntegrationId, x.usageLimit, x.expiryDate, x.attributes]));
      } finally { await s.close(); }
    });

    test('getApplicationCustomerFriends: referees of an advocate, paging, totals, per Application', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        const c = await referralCampaign(s, a.id);
        const ref = (await s.integ(a.key, 'POST', '/v1/referrals', { campaignId: c, advocateProfileIntegrationId: 'adv', usageLimit: 0 })).json();
        await s.db.transaction(async (sql) => {
          for (const [i, friend] of ['f1', 'f2', 'f3'].entries()) {
            await insertReferee(sql, { applicationId: a.id, referralId: ref.id, sessionIntegrationId: `s${i}`, advocate: 'adv', friend, code: ref.code, created: `2030-06-0${i + 1}T00:00:00.000Z` });
          }
          await insertReferee(sql, { applicationId: a.id, referralId: ref.id, sessionIntegrationId: 'x', advocate: 'someone-else', friend: 'f9', code: ref.code, created: '2030-06-05T00:00:00.000Z' });
        });
        const url = `/v1/applications/${a.id}/profile/adv/friends`;
        const all = await s.mgmt('GET', url);
        assert.equal(all.statusCode, 200, all.body);
        assert.deepEqual(all.json(), {
          hasMore: false,
          data: ['f1', 'f2', 'f3'].map((f, i) => ({ applicationId: a.id, sessionId: `s${i}`, advocateIntegrationId: 'adv', friendIntegrationId: f, code: ref.code, created: `2030-06-0${i + 1}T00:00:00.000Z` })),
        });
        const page = (await s.mgmt('GET', `${url}?pageSize=2&sort=-created`)).json();
        assert.deepEqual([page.hasMore, page.data.map((x: Json) => x.friendIntegrationId)], [true, ['f3', 'f2']]);
        const total = (await s.mgmt('GET', `${url}?withTotalResultSize=true&skip=2`)).json();
        assert.deepEqual([total.totalResultSize, total.hasMore, total.data.map((x: Json) => x.friendIntegrationId)], [3, undefined, ['f3']]);
        assert.deepEqual((await s.mgmt('GET', `/v1/applications/${b.id}/profile/adv/friends`)).json(), { hasMore: false, data: [] });
        assert.deepEqual((await s.mgmt('GET', `/v1/applications/${a.id}/profile/nobody/friends`)).json().data, []);
        assert.equal((await s.mgmt('GET', '/v1/applications/999999/profile/adv/friends')).statusCode, 404);
      } finally { await s.close(); }
    });
  });
}
