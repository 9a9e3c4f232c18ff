/**
 * getCoupons (`GET …/campaigns/{campaignId}/coupons`, talon_one 4.3.0's "List Coupons (with total
 * count)"): the no_total listing's filters and paging, answered `{totalResultSize, data}` where the
 * total counts every match, not the page (docs/coupons.md, "Listing, searching, deleting") — on
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

for (const kind of STORES) {
  describe(`getCoupons with total (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('totalResultSize counts all matches; filters, paging, sort and errors as no_total', async (t) => {
      const s: TestServer | null = await freshTestServer(kind, t, () => new Date('2030-06-01T12:00:00Z'));
      if (!s) return;
      try {
        const a = await s.newApplication();
        const mk = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'C', tags: [], features: ['coupons'], limits: [] });
        const c = mk.json().id as number;
        const other = (await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'D', tags: [], features: ['coupons'], limits: [] })).json().id as number;
        const url = `/v1/applications/${a.id}/campaigns/${c}/coupons`;
        assert.equal((await s.mgmt('POST', url, { numberOfCoupons: 5, usageLimit: 1, couponPattern: 'AA-####' })).statusCode, 204);
        assert.equal((await s.mgmt('POST', url, { numberOfCoupons: 2, usageLimit: 1, couponPattern: 'BB-####', expiryDate: '2030-01-01T00:00:00Z' })).statusCode, 204);
        const personal = await s.mgmt('POST', `${url}_with_recipients`, { usageLimit: 1, recipientsIntegrationIds: ['bob'], couponPattern: 'CC-####' });
        assert.equal(personal.statusCode, 204, personal.body);
        // another campaign's codes are never counted
        assert.equal((await s.mgmt('POST', `/v1/applications/${a.id}/campaigns/${other}/coupons`, { numberOfCoupons: 3, usageLimit: 1 })).statusCode, 204);

        const get = async (query = ''): Promise<Json> => {
          const r = await s.mgmt('GET', `${url}${query}`);
          assert.equal(r.statusCode, 200, r.body);
          const body = r.json();
          assert.deepEqual(Object.keys(body).sort(), ['data', 'totalResultSize']);
          return body;
        };
        const all = await get();
        assert.equal(all.totalResultSize, 8);
        assert.equal(all.data.length, 8);
        assert.ok(all.data.every((x: Json) => x.campaignId === c));

        const page = await get('?pageSize=3&skip=2&sort=-id');
        assert.equal(page.totalResultSize, 8, 'the total is every match, not the page');
        assert.deepEqual(page.data.map((x: Json) => x.id), all.data.map((x: Json) => x.id).reverse().slice(2, 5));
        const beyond = await get('?skip=100');
        assert.equal(beyond.totalResultSize, 8);
        assert.deepEqual(beyond.data, []);

        // SQL-only filters
        assert.equal((await get('?valid=expired')).totalResultSize, 2);
        assert.equal((await get('?valid=validNow&pageSize=1')).totalResultSize, 6);
        assert.equal((await get('?recipientIntegrationId=bob')).totalResultSize, 1);
        assert.equal((await get('?expiresBefore=2031-01-01T00:00:00%2B01:00')).totalResultSize, 2);
        assert.equal((await get('?createdAfter=2030-06-01T11:00:00Z')).totalResultSize, 8);
        assert.equal((await get('?createdBefore=2030-06-01T11:00:00Z')).totalResultSize, 0);
        assert.equal((await get(`?batchId=${encodeURIComponent(all.data[0].batchId)}`)).totalResultSize, 5);
        assert.equal((await get('?usable=true')).totalResultSize, 8);
        // a filter that runs after SQL (the folded value match) is counted exactly too
        const folded = await get('?value=aa&pageSize=2');
        assert.equal(folded.totalResultSize, 5);
        assert.equal(folded.data.length, 2);
        const exact = await get(`?value=${encodeURIComponent(all.data[0].value.toLowerCase())}&exactMatch=true`);
        assert.equal(exact.totalResultSize, 1);
        assert.equal(exact.data[0].value, all.data[0].value);

        const bad = await s.mgmt('GET', `${url}?sort=nope`);
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().errors[0].source.parameter, 'sort');
        assert.equal((await s.mgmt('GET', `${url}?pageSize=0`)).statusCode, 400);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c + 1000}/coupons`)).statusCode, 404);
      } finally { await s.close(); }
    });
  });
}
