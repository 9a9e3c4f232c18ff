/**
 * Coupons over the Management API (issue #4): creation and code generation, listing filters and
 * searches, updates with PUT's null-on-omit, deletes, CSV import (lines named, nothing left
 * behind) and CSV export — on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ACCOUNT_ID } from '../../src/domain/application.js';
import { bumpConfigVersion } from '../../src/store/repos/configVersions.js';
import { insertAttribute } from '../../src/store/repos/definitions.js';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, MANAGEMENT_KEY, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

async function campaign(s: TestServer, appId: number, extra: Json = {}): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'C', tags: [], features: ['coupons'], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  return c.json().id;
}

async function defineCouponAttributes(s: TestServer): Promise<void> {
  const now = new Date().toISOString();
  await s.db.transaction(async (sql) => {
    await insertAttribute(sql, { accountId: ACCOUNT_ID, entity: 'Coupon', name: 'category', title: 'Category', type: 'string', description: '', suggestions: [], editable: true, created: now });
    await insertAttribute(sql, { accountId: ACCOUNT_ID, entity: 'Coupon', name: 'venueId', title: 'Venue', type: 'number', description: '', suggestions: [], editable: true, created: now });
    await bumpConfigVersion(sql, 'account');
  });
}

/** A multipart/form-data body as a browser or the talon_one client would send it. */
export async function multipart(csv: string, field = 'upFile'): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  form.append(field, new Blob([csv], { type: 'text/csv' }), 'coupons.csv');
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

async function upload(s: TestServer, appId: number, campaignId: number, csv: string, query = ''): Promise<import('fastify').LightMyRequestResponse> {
  const { payload, headers } = await multipart(csv);
  return s.app.inject({ method: 'POST', url: `/v1/applications/${appId}/campaigns/${campaignId}/import_coupons${query}`, payload,
    headers: { ...headers, authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}` } });
}

async function list(s: TestServer, appId: number, campaignId: number, query = ''): Promise<Json> {
  const r = await s.mgmt('GET', `/v1/applications/${appId}/campaigns/${campaignId}/coupons/no_total${query}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

for (const kind of STORES) {
  describe(`coupons over HTTP (${kind.name})`, () => {
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

    test('createCoupons: silent, default pattern, campaign and request patterns, case, limits, caps', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ caseSensitivity: 'insensitive-lowercase' });
        const c = await campaign(s, a.id);
        const url = `/v1/applications/${a.id}/campaigns/${c}/coupons`;

        const silent = await s.mgmt('POST', url, { numberOfCoupons: 3, usageLimit: 1 });
        assert.equal(silent.statusCode, 204);
        assert.equal(silent.body, '');

        const loud = await s.mgmt('POST', `${url}?silent=no`, { numberOfCoupons: 5, usageLimit: 2, discountLimit: 30, expiryDate: '2031-01-01T01:00:00+01:00', attributes: {} });
        assert.equal(loud.statusCode, 200, loud.body);
        const body = loud.json();
        assert.equal(body.totalResultSize, 5);
        assert.equal(body.data.length, 5);
        const one = body.data[0];
        // default pattern ######## from A–Z0–9, stored lower-cased in an insensitive-lowercase Application
        assert.match(one.value, /^[a-z0-9]{8}$/);
        assert.equal(one.campaignId, c);
        assert.equal(one.usageLimit, 2);
        assert.equal(one.usageCounter, 0);
        assert.equal(one.discountLimit, 30);
        assert.equal(one.discountCounter, 0);
        assert.equal(one.discountRemainder, 30);
        assert.equal(one.reservationCounter, 0);
        assert.equal(one.expiryDate, '2031-01-01T00:00:00.000Z');
        assert.equal(one.reservation, true);
        assert.equal(one.isReservationMandatory, false);
        assert.equal(one.implicitlyReserved, false);
        assert.deepEqual(one.limits, []);
        assert.equal(typeof one.batchId, 'string');
        assert.ok(body.data.every((x: Json) => x.batchId === one.batchId), 'one batch per call');
        assert.equal(new Set(body.data.map((x: Json) => x.value)).size, 5);

        // the campaign's couponSettings, then the request's override
        const c2 = await campaign(s, a.id, { couponSettings: { couponPattern: 'SUMMER-####', validCharacters: ['A', 'B'] } });
        const fromCampaign = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${c2}/coupons?silent=no`, { numberOfCoupons: 4, usageLimit: 1 });
        assert.ok(fromCampaign.json().data.every((x: Json) => /^summer-[ab]{4}$/.test(x.value)), fromCampaign.body);
        const fromRequest = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${c2}/coupons?silent=no`,
          { numberOfCoupons: 2, usageLimit: 1, couponPattern: 'XMAS-###', validCharacters: ['7', '8', '9'] });
        assert.ok(fromRequest.json().data.every((x: Json) => /^xmas-[789]{3}$/.test(x.value)), fromRequest.body);

        // the pattern space cannot hold the request; a and A are one character in an insensitive Application
        const tooMany = await s.mgmt('POST', url, { numberOfCoupons: 5, usageLimit: 1, couponPattern: 'AB-##', validCharacters: ['a', 'A'] });
        assert.equal(tooMany.statusCode, 400, tooMany.body);
        assert.equal(tooMany.json().errors[0].source.pointer, '/couponPattern');
        // exactly the space: every collision is regenerated until all codes exist
        const exact = await s.mgmt('POST', `${url}?silent=no`, { numberOfCoupons: 9, usageLimit: 1, couponPattern: 'EX-##', validCharacters: ['1', '2', '3'] });
        assert.equal(exact.statusCode, 200, exact.body);
        assert.equal(new Set(exact.json().data.map((x: Json) => x.value)).size, 9);
        // …and now the space is full
        const full = await s.mgmt('POST', url, { numberOfCoupons: 1, usageLimit: 1, couponPattern: 'EX-##', validCharacters: ['1', '2', '3'] });
        assert.equal(full.statusCode, 400);
        assert.match(full.json().message, /cannot produce/);

        // limits: a single coupon without recipient, per-profile only
        const lim = [{ action: 'redeemCoupon', limit: 2, entities: ['Coupon', 'Profile'] }];
        const many = await s.mgmt('POST', url, { numberOfCoupons: 2, usageLimit: 1, limits: lim });
        assert.equal(many.json().errors[0].source.pointer, '/limits');
        const withRecipient = await s.mgmt('POST', url, { numberOfCoupons: 1, usageLimit: 1, limits: lim, recipientIntegrationId: 'p1' });
        assert.equal(withRecipient.statusCode, 400);
        const notProfile = await s.mgmt('POST', url, { numberOfCoupons: 1, usageLimit: 1, limits: [{ action: 'redeemCoupon', limit: 2, entities: ['Coupon'] }] });
        assert.equal(notProfile.json().errors[0].source.pointer, '/limits/0/entities');
        const single = await s.mgmt('POST', `${url}?silent=no`, { numberOfCoupons: 1, usageLimit: 1, limits: lim, recipientIntegrationId: undefined, isReservationMandatory: true });
        assert.equal(single.statusCode, 200, single.body);
        assert.deepEqual(single.json().data[0].limits, lim);
        assert.equal(single.json().data[0].isReservationMandatory, true);

        const cap = await s.mgmt('POST', url, { numberOfCoupons: 20001, usageLimit: 1 });
        assert.equal(cap.json().errors[0].source.pointer, '/numberOfCoupons');
        const zero = await s.mgmt('POST', url, { numberOfCoupons: 0, usageLimit: 1 });
        assert.equal(zero.statusCode, 400);
        const noUsage = await s.mgmt('POST', url, { numberOfCoupons: 1 });
        assert.equal(noUsage.json().errors[0].source.pointer, '/usageLimit');
        const badAttr = await s.mgmt('POST', url, { numberOfCoupons: 1, usageLimit: 1, attributes: { nope: 1 } });
        assert.equal(badAttr.json().errors[0].source.pointer, '/attributes/nope');
        const backwards = await s.mgmt('POST', url, { numberOfCoupons: 1, usageLimit: 1, startDate: '2031-01-01T00:00:00Z', expiryDate: '2030-01-01T00:00:00Z' });
        assert.equal(backwards.json().errors[0].source.pointer, '/expiryDate');
        const missing = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/99999/coupons`, { numberOfCoupons: 1, usageLimit: 1 });
        assert.equal(missing.statusCode, 404);
        const b = await s.newApplication();
        const otherApp = await s.mgmt('POST', `/v1/applications/${b.id}/campaigns/${c}/coupons`, { numberOfCoupons: 1, usageLimit: 1 });
        assert.equal(otherApp.statusCode, 404);

        // coupons are made only in campaigns with the coupons feature
        const plain = await campaign(s, a.id, { features: [] });
        const noFeature = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${plain}/coupons`, { numberOfCoupons: 1, usageLimit: 1 });
        assert.equal(noFeature.statusCode, 400);
        assert.equal(noFeature.json().errors[0].source.parameter, 'campaignId');
        assert.equal((await upload(s, a.id, plain, 'value\nABC1')).statusCode, 400);

        // 20 000 in one call
        const big = await s.mgmt('POST', `/v1/applications/${b.id}/campaigns/${await campaign(s, b.id)}/coupons`, { numberOfCoupons: 20000, usageLimit: 1 });
        assert.equal(big.statusCode, 204, big.body);
      } finally { await s.close(); }
    });

    test('createCouponsForMultipleRecipients: one personal code per recipient', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const c = await campaign(s, a.id);
        const url = `/v1/applications/${a.id}/campaigns/${c}/coupons_with_recipients`;
        const r = await s.mgmt('POST', `${url}?silent=no`, { usageLimit: 1, recipientsIntegrationIds: ['alice', 'bob', 'alice'], couponPattern: 'P-#####' });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json().data.map((x: Json) => x.recipientIntegrationId).sort(), ['alice', 'bob']);
        assert.ok(r.json().data.every((x: Json) => x.reservation === false && /^P-[A-Z0-9]{5}$/.test(x.value)));
        assert.equal((await s.mgmt('POST', url, { usageLimit: 1, recipientsIntegrationIds: ['carol'] })).statusCode, 204);
        assert.equal((await s.mgmt('POST', url, { usageLimit: 1, recipientsIntegrationIds: [] })).statusCode, 400);
        const tooMany = await s.mgmt('POST', url, { usageLimit: 1, recipientsIntegrationIds: Array.from({ length: 1001 }, (_, i) => `p${i}`) });
        assert.equal(tooMany.statusCode, 400);
        const listed = await list(s, a.id, c, '?recipientIntegrationId=carol');
        assert.equal(listed.data.length, 1);
      } finally { await s.close(); }
    });

    test('listing filters, paging, sort and attribute searches', async (t) => {
      if (!(await start(t))) return;
      try {
        await defineCouponAttributes(s);
        const a = await s.newApplication();
        const c = await campaign(s, a.id);
        const csv = ['value,expirydate,startdate,recipientintegrationid,limitval,attributes',
          'SUMMER-10,2030-05-01T00:00:00Z,,,1,"{""category"": ""shoes""}"',
          'summer20,2031-01-01T00:00:00Z,,,1,"{""category"": ""bags"", ""venueId"": 3}"',
          'WINTER-5,,2030-07-01T00:00:00Z,bob,0,',
          'AUTUMN,,,,2,"{""category"": ""shoes"", ""venueId"": 3}"'].join('\n');
        const imp = await upload(s, a.id, c, csv);
        assert.equal(imp.statusCode, 200, imp.body);
        const all = await list(s, a.id, c);
        assert.equal(all.data.length, 4);
        assert.equal(all.hasMore, false);
        const values = (d: Json) => d.data.map((x: Json) => x.value);

        assert.deepEqual(values(await list(s, a.id, c, '?value=summer')), ['SUMMER-10', 'summer20']);
        assert.deepEqual(values(await list(s, a.id, c, '?value=MER1')), ['SUMMER-10'], 'non-alphanumerics folded away');
        assert.deepEqual(values(await list(s, a.id, c, '?value=summer-10&exactMatch=true')), ['SUMMER-10']);
        assert.deepEqual(values(await list(s, a.id, c, '?value=summer1&exactMatch=true')), []);
        assert.deepEqual(values(await list(s, a.id, c, '?valid=expired')), ['SUMMER-10']);
        assert.deepEqual(values(await list(s, a.id, c, '?valid=validNow')), ['summer20', 'AUTUMN']);
        assert.deepEqual(values(await list(s, a.id, c, '?valid=validFuture')), ['WINTER-5']);
        assert.deepEqual(values(await list(s, a.id, c, `?expiresBefore=${encodeURIComponent('2030-12-31T23:00:00+02:00')}`)), ['SUMMER-10']);
        assert.deepEqual(values(await list(s, a.id, c, '?expiresAfter=2030-06-01T00:00:00Z')), ['summer20']);
        assert.deepEqual(values(await list(s, a.id, c, '?startsAfter=2030-06-01T00:00:00Z')), ['WINTER-5']);
        assert.deepEqual(values(await list(s, a.id, c, '?recipientIntegrationId=bob')), ['WINTER-5']);
        assert.deepEqual(values(await list(s, a.id, c, `?batchId=${all.data[0].batchId}`)).length, 4);
        assert.deepEqual(values(await list(s, a.id, c, '?createdBefore=2030-06-01T11:00:00Z')), []);
        assert.deepEqual(values(await list(s, a.id, c, '?createdAfter=2030-06-01T11:00:00Z')).length, 4);

        await s.db.transaction((sql) => sql.run("UPDATE coupons SET usage_counter = 1 WHERE value IN ('SUMMER-10', 'AUTUMN', 'WINTER-5')"));
        assert.deepEqual(values(await list(s, a.id, c, '?usable=false')), ['SUMMER-10']);
        assert.deepEqual(values(await list(s, a.id, c, '?usable=true')), ['summer20', 'WINTER-5', 'AUTUMN'], 'limitval 0 is unlimited');
        assert.deepEqual(values(await list(s, a.id, c, '?redeemed=false')), ['summer20']);
        const both = await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/coupons/no_total?usable=true&redeemed=true`);
        assert.equal(both.statusCode, 400);
        assert.equal(both.json().errors[0].source.parameter, 'redeemed');

        const p1 = await list(s, a.id, c, '?pageSize=3');
        assert.equal(p1.hasMore, true);
        assert.equal(p1.data.length, 3);
        const p2 = await list(s, a.id, c, '?pageSize=3&skip=3');
        assert.equal(p2.hasMore, false);
        assert.deepEqual(values(p2), ['AUTUMN']);
        assert.deepEqual(values(await list(s, a.id, c, '?sort=-value&pageSize=2')), ['summer20', 'WINTER-5']);
        assert.deepEqual(values(await list(s, a.id, c, '?value=s&pageSize=1&skip=1')), ['summer20'], 'paging over a folded filter');
        const badSort = await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c}/coupons/no_total?sort=nope`);
        assert.equal(badSort.json().errors[0].source.parameter, 'sort');

        const search = (url: string, body: Json) => s.mgmt('POST', url, body);
        const campaignSearch = `/v1/applications/${a.id}/campaigns/${c}/coupons_search_advanced/no_total`;
        assert.deepEqual(values((await search(campaignSearch, { category: 'shoes' })).json()), ['SUMMER-10', 'AUTUMN']);
        assert.deepEqual(values((await search(campaignSearch, { category: 'shoes', venueId: 3 })).json()), ['AUTUMN']);
        assert.deepEqual(values((await search(`${campaignSearch}?value=summer`, { venueId: 3 })).json()), ['summer20']);
        assert.deepEqual(values((await search(campaignSearch, {})).json()).length, 4);

        // application-wide, with campaignState
        const c2 = await campaign(s, a.id, { state: 'disabled' });
        assert.equal((await upload(s, a.id, c2, 'value,attributes\nDIS-1,"{""category"": ""shoes""}"')).statusCode, 200);
        const appSearch = `/v1/applications/${a.id}/coupons_search_advanced/no_total`;
        assert.deepEqual(values((await search(appSearch, { category: 'shoes' })).json()), ['SUMMER-10', 'AUTUMN', 'DIS-1']);
        assert.deepEqual(values((await search(`${appSearch}?campaignState=disabled`, { category: 'shoes' })).json()), ['DIS-1']);
        assert.deepEqual(values((await search(`${appSearch}?campaignState=running`, { category: 'shoes' })).json()), ['SUMMER-10', 'AUTUMN']);
        const b = await s.newApplication();
        assert.deepEqual((await search(`/v1/applications/${b.id}/coupons_search_advanced/no_total`, {})).json().data, []);
        assert.equal((await s.mgmt('GET', `/v1/applications/${b.id}/campaigns/${c}/coupons/no_total`)).statusCode, 404);
      } finally { await s.close(); }
    });

    test('updateCoupon (null on omit), updateCouponBatch, deleteCoupon, deleteCoupons', async (t) => {
      if (!(await start(t))) return;
      try {
        await defineCouponAttributes(s);
        const a = await s.newApplication();
        const c = await campaign(s, a.id);
        const created = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${c}/coupons?silent=no`, {
          numberOfCoupons: 1, usageLimit: 3, discountLimit: 10, startDate: '2030-01-01T00:00:00Z', expiryDate: '2031-01-01T00:00:00Z', recipientIntegrationId: 'alice',
        });
        const coupon = created.json().data[0];
        const url = `/v1/applications/${a.id}/campaigns/${c}/coupons/${coupon.id}`;
        const u = await s.mgmt('PUT', url, { usageLimit: 5, attributes: { category: 'x' }, expiryDate: '2032-01-01T00:00:00Z' });
        assert.equal(u.statusCode, 200, u.body);
        const updated = u.json();
        assert.equal(updated.value, coupon.value);
        assert.equal(updated.usageLimit, 5);
        assert.equal(updated.discountLimit, 10, 'omitted limits keep their value');
        assert.equal(updated.startDate, undefined, 'startDate omitted → null');
        assert.equal(updated.recipientIntegrationId, undefined, 'recipientIntegrationId omitted → null');
        assert.equal(updated.expiryDate, '2032-01-01T00:00:00.000Z');
        assert.deepEqual(updated.attributes, { category: 'x' });
        const nulls = await s.mgmt('PUT', url, { startDate: null, expiryDate: null, recipientIntegrationId: null, implicitlyReserved: true });
        assert.equal(nulls.statusCode, 200, nulls.body);
        assert.equal(nulls.json().expiryDate, undefined);
        assert.equal(nulls.json().implicitlyReserved, true);
        assert.equal((await s.mgmt('PUT', url, { value: 'NEWCODE' })).json().value, coupon.value, 'the code can never change');
        assert.equal((await s.mgmt('PUT', url, { attributes: { nope: 1 } })).json().errors[0].source.pointer, '/attributes/nope');
        assert.equal((await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${c}/coupons/abc`, {})).statusCode, 404);
        const c2 = await campaign(s, a.id);
        assert.equal((await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${c2}/coupons/${coupon.id}`, {})).statusCode, 404, 'another campaign');

        // batch update: one batch, then the whole campaign
        const b1 = (await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${c}/coupons?silent=no`, { numberOfCoupons: 3, usageLimit: 1, expiryDate: '2031-01-01T00:00:00Z' })).json().data;
        const batchUrl = `/v1/applications/${a.id}/campaigns/${c}/coupons`;
        const bu = await s.mgmt('PUT', batchUrl, { batchID: b1[0].batchId, usageLimit: 7, startDate: '2030-02-01T00:00:00Z' });
        assert.equal(bu.statusCode, 204, bu.body);
        const inBatch = await list(s, a.id, c, `?batchId=${b1[0].batchId}`);
        assert.ok(inBatch.data.every((x: Json) => x.usageLimit === 7 && x.startDate === '2030-02-01T00:00:00.000Z' && x.expiryDate === undefined), JSON.stringify(inBatch));
        assert.equal((await list(s, a.id, c)).data.find((x: Json) => x.id === coupon.id).usageLimit, 5, 'other batches untouched');
        assert.equal((await s.mgmt('PUT', batchUrl, { reservationLimit: 4 })).statusCode, 204);
        assert.ok((await list(s, a.id, c)).data.every((x: Json) => x.reservationLimit === 4));

        // deletes
        assert.equal((await s.mgmt('DELETE', url)).statusCode, 204);
        assert.equal((await s.mgmt('DELETE', url)).statusCode, 404);
        await s.db.transaction((sql) => sql.run('UPDATE coupons SET usage_counter = 1 WHERE id = ?', [b1[0].id]));
        assert.equal((await s.mgmt('DELETE', `${batchUrl}?redeemed=true`)).statusCode, 204);
        assert.equal((await list(s, a.id, c)).data.length, 2);
        assert.equal((await s.mgmt('DELETE', `${batchUrl}?value=${encodeURIComponent(b1[1].value.slice(0, 6))}`)).statusCode, 204);
        assert.equal((await list(s, a.id, c)).data.length, 1);
        assert.equal((await s.mgmt('DELETE', batchUrl)).statusCode, 204);
        assert.equal((await list(s, a.id, c)).data.length, 0);
      } finally { await s.close(); }
    });

    test('importCoupons: columns, defaults, case, Import record, line-numbered errors that leave nothing behind, skipDuplicates', async (t) => {
      if (!(await start(t))) return;
      try {
        await defineCouponAttributes(s);
        const a = await s.newApplication({ caseSensitivity: 'insensitive-uppercase' });
        const c = await campaign(s, a.id);
        const csv = '\ufeff"value","expirydate","startdate","recipientintegrationid","limitval","attributes","discountlimit"\n'
          + 'coup1,2031-07-01T04:00:00+02:00,2030-05-01T04:00:00Z,cust123,1,"{""category"":\n""10_off""}",2.4\n'
          + 'coup2,,,,,,\n'
          + '\n'
          + 'coup3,,,,0,,\n';
        const r = await upload(s, a.id, c, csv);
        assert.equal(r.statusCode, 200, r.body);
        const imp = r.json();
        assert.equal(imp.entity, 'Coupon');
        assert.equal(imp.amount, 3);
        assert.equal(imp.accountId, ACCOUNT_ID);
        assert.equal(typeof imp.id, 'number');
        assert.equal(typeof imp.userId, 'number');
        assert.equal(imp.created, now.toISOString());
        const got = (await list(s, a.id, c)).data;
        assert.deepEqual(got.map((x: Json) => x.value), ['COUP1', 'COUP2', 'COUP3']);
        assert.equal(got[0].expiryDate, '2031-07-01T02:00:00.000Z');
        assert.equal(got[0].startDate, '2030-05-01T04:00:00.000Z');
        assert.equal(got[0].recipientIntegrationId, 'cust123');
        assert.deepEqual(got[0].attributes, { category: '10_off' });
        assert.equal(got[0].discountLimit, 2.4);
        assert.equal(got[0].importId, imp.id);
        assert.equal(got[1].usageLimit, 1, 'limitval defaults to 1');
        assert.equal(got[2].usageLimit, 0, '0 = unlimited');

        const second = await upload(s, a.id, c, 'value\nNEXT1');
        assert.notEqual(second.json().id, imp.id, 'each import has its own id');

        const fails = async (body: string, line: string, re: RegExp, query = '') => {
          const before = (await list(s, a.id, c)).data.length;
          const f = await upload(s, a.id, c, body, query);
          assert.equal(f.statusCode, 400, f.body);
          assert.equal(f.json().errors[0].source.line, line, f.body);
          assert.match(f.json().message, re);
          assert.equal((await list(s, a.id, c)).data.length, before, 'nothing left behind');
        };
        await fails('value,expirydate\nGOOD1,\nBAD2,tomorrow', '3', /expirydate/);
        await fails('value,limitval\nGOOD1,1\nGOOD2,1000000', '3', /limitval/);
        await fails('value,limitval\nGOOD1,-1', '2', /limitval/);
        await fails('value\nGOOD1\nab', '3', /at least 3/);
        await fails('value,attributes\nGOOD1,"[1]"', '2', /JSON object/);
        await fails('value,attributes\nGOOD1,"{""nope"": 1}"', '2', /nope/);
        await fails('value,attributes\nGOOD1,"{""venueId"": ""x""}"', '2', /venueId/);
        await fails('value,discountlimit\nGOOD1,abc', '2', /discountlimit/);
        await fails('value,startdate,expirydate\nGOOD1,2031-01-01T00:00:00Z,2030-01-01T00:00:00Z', '2', /after/);
        await fails('value,color\nGOOD1,red', '1', /Unknown column/);
        await fails('expirydate\n2031-01-01T00:00:00Z', '1', /value/);
        await fails('value\nNEW1\nnew1', '3', /repeated/, '');
        await fails('value\nNEW1\ncoup2', '3', /already exists/);
        await fails('value,limitval\nNEW1,1,extra', '2', /.+/);
        await fails('value\nNEW1\n"NEW2', '3', /Quote Not Closed/); // a CSV syntax error: the parser's line
        // a duplicate after the first batch of 1000 rows is committed inside the same transaction
        const rows = Array.from({ length: 2500 }, (_, i) => `BULK${i}`);
        rows[2200] = 'BULK5';
        await fails(`value\n${rows.join('\n')}`, '2202', /already exists/);

        const empty = await upload(s, a.id, c, '');
        assert.equal(empty.statusCode, 400);

        // skipDuplicates: existing and repeated codes are ignored
        const skip = await upload(s, a.id, c, 'value\ncoup1\nNEW9\nnew9\nNEW10', '?skipDuplicates=true');
        assert.equal(skip.statusCode, 200, skip.body);
        assert.equal(skip.json().amount, 2);
        assert.deepEqual((await list(s, a.id, c, '?value=new')).data.map((x: Json) => x.value), ['NEW9', 'NEW10']);

        // field name and content type
        const { payload, headers } = await multipart('value\nX123', 'file');
        const wrongField = await s.app.inject({ method: 'POST', url: `/v1/applications/${a.id}/campaigns/${c}/import_coupons`, payload,
          headers: { ...headers, authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}` } });
        assert.equal(wrongField.statusCode, 400);
        assert.equal(wrongField.json().errors[0].source.pointer, '/upFile');
        const json = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${c}/import_coupons`, { value: 'x' });
        assert.equal(json.statusCode, 400);
        const unauth = await s.app.inject({ method: 'POST', url: `/v1/applications/${a.id}/campaigns/${c}/import_coupons`, payload, headers });
        assert.equal(unauth.statusCode, 401);
        assert.equal((await upload(s, a.id, 99999, 'value\nX123')).statusCode, 404);
      } finally { await s.close(); }
    });

    test('exportCoupons: CSV columns, filters, valuesOnly, dateFormat, pages beyond one query', async (t) => {
      if (!(await start(t))) return;
      try {
        await defineCouponAttributes(s);
        const a = await s.newApplication();
        const c = await campaign(s, a.id);
        const c2 = await campaign(s, a.id);
        assert.equal((await upload(s, a.id, c, 'value,expirydate,attributes,discountlimit,recipientintegrationid\nEXP-1,2031-01-02T03:04:05Z,"{""category"": ""a,b""}",5,bob\nEXP-2,,,,')).statusCode, 200);
        assert.equal((await upload(s, a.id, c2, 'value\nOTHER-1')).statusCode, 200);
        const r = await s.mgmt('GET', `/v1/applications/${a.id}/export_coupons?campaignId=${c}`);
        assert.equal(r.statusCode, 200, r.body);
        assert.match(String(r.headers['content-type']), /^text\/csv/);
        const lines = r.body.trimEnd().split('\n');
        assert.equal(lines[0], 'accountid,applicationid,attributes,batchid,campaignid,counter,created,deleted,deleted_changelogid,discount_counter,discount_limitval,expirydate,id,importid,is_reservation_mandatory,limits,limitval,recipientintegrationid,referralid,reservation,reservation_counter,reservation_limitval,startdate,value');
        assert.equal(lines.length, 3);
        const header = lines[0].split(',');
        const first = parseCsvLine(lines[1]);
        const cell = (k: string) => first[header.indexOf(k)];
        assert.equal(cell('value'), 'EXP-1');
        assert.equal(cell('attributes'), '{"category":"a,b"}');
        assert.equal(cell('expirydate'), '2031-01-02T03:04:05.000Z');
        assert.equal(cell('discount_limitval'), '5');
        assert.equal(cell('limitval'), '1');
        assert.equal(cell('reservation'), 'false');
        assert.equal(cell('campaignid'), String(c));
        assert.equal(cell('applicationid'), String(a.id));
        assert.equal(cell('deleted'), 'false');

        const excel = await s.mgmt('GET', `/v1/applications/${a.id}/export_coupons?campaignId=${c}&dateFormat=excel&value=exp1`);
        assert.equal(parseCsvLine(excel.body.trimEnd().split('\n')[1])[header.indexOf('expirydate')], '2031-01-02 03:04:05');
        const values = await s.mgmt('GET', `/v1/applications/${a.id}/export_coupons?valuesOnly=true`);
        assert.equal(values.body, 'value\nEXP-1\nEXP-2\nOTHER-1\n');
        const disabled = await s.mgmt('GET', `/v1/applications/${a.id}/export_coupons?valuesOnly=true&campaignState=disabled`);
        assert.equal(disabled.body, 'value\n');

        // more rows than one keyset page
        const many = Array.from({ length: 12001 }, (_, i) => `MANY${i}`);
        assert.equal((await upload(s, a.id, c2, `value\n${many.join('\n')}`)).statusCode, 200);
        const big = await s.mgmt('GET', `/v1/applications/${a.id}/export_coupons?campaignId=${c2}&valuesOnly=true`);
        const out = big.body.trimEnd().split('\n');
        assert.equal(out.length, 1 + 1 + 12001);
        assert.equal(new Set(out).size, out.length);
        const b = await s.newApplication();
        assert.equal((await s.mgmt('GET', `/v1/applications/${b.id}/export_coupons?valuesOnly=true`)).body, 'value\n');
        assert.equal((await s.mgmt('GET', '/v1/applications/99999/export_coupons')).statusCode, 404);
      } finally { await s.close(); }
    });
  });
}

/** Enough CSV for one exported line: quoted fields with doubled quotes. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') { v += '"'; i += 2; } else if (line[i] === '"') { i++; break; } else v += line[i++];
      }
      out.push(v);
      i++;
    } else {
      const j = line.indexOf(',', i);
      const end = j === -1 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}
