/**
 * Applications name an ISO 4217 currency and an IANA time zone (docs/cli.md, "Currency and time zone"),
 * over HTTP as with the CLI: the service refuses anything else with a 400 naming the field.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Title } from '../../src/domain/errors.js';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';

const valid = { name: 'Shop', currency: 'EUR', timezone: 'Europe/Berlin' };

for (const kind of STORES) {
  describe(`application currency and time zone (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('POST and PUT refuse a currency that is not ISO 4217 and a time zone that is not IANA, naming the field', async (t) => withTestServer(kind, t, async (s) => {
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ currency: 'euro' }, '/currency', /^currency must be an ISO 4217 currency code .*; got "euro"$/],
        [{ currency: 'eur' }, '/currency', /did you mean EUR\?/],
        [{ currency: 'XYZ' }, '/currency', /ISO 4217/],
        [{ timezone: 'Mars/Base' }, '/timezone', /^timezone must be an IANA time zone name .*; got "Mars\/Base"$/],
        [{ timezone: 'europe/berlin' }, '/timezone', /did you mean Europe\/Berlin\?/],
        [{ timezone: '+01:00' }, '/timezone', /IANA/],
      ];
      const created = await s.mgmt('POST', '/v1/applications', valid);
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as number;
      for (const [change, pointer, details] of cases) {
        for (const [method, url] of [['POST', '/v1/applications'], ['PUT', `/v1/applications/${id}`]]) {
          const r = await s.mgmt(method, url, { ...valid, ...change });
          assert.equal(r.statusCode, 400, `${method} ${JSON.stringify(change)}: ${r.body}`);
          const body = r.json();
          assert.equal(body.StatusCode, 400);
          assert.equal(body.errors.length, 1);
          assert.equal(body.errors[0].title, Title.invalidValue);
          assert.deepEqual(body.errors[0].source, { pointer });
          assert.match(body.errors[0].details, details);
        }
      }
      // nothing was created or changed by the refused requests
      const list = await s.mgmt('GET', '/v1/applications');
      assert.equal(list.json().totalResultSize, 1);
      const app = (await s.mgmt('GET', `/v1/applications/${id}`)).json();
      assert.equal(app.currency, 'EUR');
      assert.equal(app.timezone, 'Europe/Berlin');
    }));

    test('ISO 4217 codes and IANA names, aliases included, are accepted and kept as sent', async (t) => withTestServer(kind, t, async (s) => {
      for (const [currency, timezone] of [['USD', 'America/New_York'], ['JPY', 'Asia/Tokyo'], ['CHF', 'UTC'], ['GBP', 'Etc/UTC'], ['INR', 'Asia/Kolkata'], ['SEK', 'US/Eastern']]) {
        const r = await s.mgmt('POST', '/v1/applications', { name: 'Shop', currency, timezone });
        assert.equal(r.statusCode, 201, r.body);
        assert.equal(r.json().currency, currency);
        assert.equal(r.json().timezone, timezone);
        const put = await s.mgmt('PUT', `/v1/applications/${r.json().id}`, { name: 'Shop 2', currency: 'EUR', timezone: 'Europe/Zurich' });
        assert.equal(put.statusCode, 200, put.body);
        assert.equal(put.json().timezone, 'Europe/Zurich');
      }
    }));
  });
}
