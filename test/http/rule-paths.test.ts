/**
 * End to end: what a rule reading each path of docs/rules-language.md "Paths" sees, after the services turned stored
 * data into rule values. Every probe is a rule whose notification body is built from one path with
 * an operation of the path's kind (arithmetic for numbers, concatenation for strings, `formatTime`
 * for times, `if` for booleans, element-wise for lists), so a missing or mistyped value shows as a
 * missing notification plus a rule failure reason.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { STORES } from '../helpers/stores.js';
import { withTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;
type Kind = 'num' | 'str' | 'bool' | 'time' | 'lnum' | 'lstr' | 'ltime';

const P = (path: string): unknown[] => ['.', ...path.split('.')];

/** An expression of kind string that only evaluates if `e` has kind `k`. */
function show(k: Kind, e: unknown): unknown {
  switch (k) {
    case 'num': return ['toString', ['+', e, 0]];
    case 'str': return ['+', '', e];
    case 'bool': return ['if', e, 'true', 'false'];
    case 'time': return ['formatTime', e];
    case 'lnum': return ['join', ['map', e, [['X'], show('num', ['.', 'X'])]], ','];
    case 'lstr': return ['join', ['map', e, [['X'], show('str', ['.', 'X'])]], ','];
    case 'ltime': return ['join', ['map', e, [['X'], show('time', ['.', 'X'])]], ','];
  }
}

const note = (title: string, body: unknown) => ['showNotification', 'Info', title, body];

/** A rule titled `title` that shows `path` (of kind `k`), only when `condition` holds. */
const probe = (path: string, k: Kind, condition: unknown = true, title = path) =>
  ({ title, condition: ['and', condition], effects: [note(title, show(k, P(path)))] });

/** A rule titled `title` that fires iff `condition` holds (comparisons: exact decimals, instants). */
const check = (title: string, condition: unknown) => ({ title, condition: ['and', condition], effects: [note(title, 'yes')] });

const time = (s: string) => ['parseTime', s];

/** ruleName → body of the notifications in a response. */
function seen(r: LightMyRequestResponse): Record<string, string> {
  assert.equal(r.statusCode, 200, r.body);
  const out: Record<string, string> = {};
  for (const e of r.json().effects as Json[]) if (e.effectType === 'showNotification') out[e.ruleName] = e.props.body;
  return out;
}

function failures(r: LightMyRequestResponse): string[] {
  return ((r.json().ruleFailureReasons ?? []) as Json[]).map((f) => `${f.ruleName}: ${f.details}`);
}

/** Every probe fired with exactly its expected body; `undefined` = did not fire (failure reasons in the message). */
function expectSeen(r: LightMyRequestResponse, expected: Record<string, string | undefined>) {
  const got = seen(r);
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, got[k]]));
  assert.deepEqual(picked, expected, `failures:\n${failures(r).join('\n')}`);
}

const KINDS: [string, string, Kind][] = [
  ['Str', 'string', 'str'], ['Num', 'number', 'num'], ['Bool', 'boolean', 'bool'], ['Time', 'time', 'time'],
  ['LStr', '(list string)', 'lstr'], ['LNum', '(list number)', 'lnum'], ['LTime', '(list time)', 'ltime'],
];
/** One value of every attribute type, and what a rule shows of it. */
const ATTRS: Json = {
  Str: 'Zürich', Num: 0.1, Bool: false, Time: '2025-03-02T01:30:00+01:00',
  LStr: ['a', 'b c'], LNum: [0.1, 20, 1234567.891], LTime: ['2025-01-01T00:00:00Z', '2025-06-01T12:00:00.250+02:00'],
};
const SHOWN: Record<string, string> = {
  Str: 'Zürich', Num: '0.1', Bool: 'false', Time: '2025-03-02T00:30:00Z',
  LStr: 'a,b c', LNum: '0.1,20,1234567.891', LTime: '2025-01-01T00:00:00Z,2025-06-01T10:00:00.250Z',
};

async function defineAttributes(s: TestServer, entity: string, eventType?: string) {
  for (const [name, type] of KINDS) {
    const r = await s.mgmt('POST', '/v1/attributes', {
      entity, name, title: name, type, description: name, suggestions: [], editable: true, ...(eventType ? { eventType } : {}),
    });
    assert.equal(r.statusCode, 201, r.body);
  }
}

/** Probes of every attribute type under `<root>.Attributes`, with exact comparisons as `check`s. */
function attributeProbes(root: string) {
  return [
    ...KINDS.map(([name, , k]) => probe(`${root}.Attributes.${name}`, k)),
    check(`${root}.Attributes.Num = 0.1`, ['=', ['+', P(`${root}.Attributes.Num`), 0.2], 0.3]),
    check(`${root}.Attributes.Time instant`, ['=', P(`${root}.Attributes.Time`), time('2025-03-02T00:30:00Z')]),
    check(`${root}.Attributes.Bool false`, ['not', P(`${root}.Attributes.Bool`)]),
    check(`${root}.Attributes.LNum element`, ['=', ['item', P(`${root}.Attributes.LNum`), 2], 1234567.891]),
    check(`${root}.Attributes.LTime element`, ['=', ['item', P(`${root}.Attributes.LTime`), 1], time('2025-06-01T10:00:00.250Z')]),
  ];
}
function attributeExpect(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name] of KINDS) out[`${root}.Attributes.${name}`] = SHOWN[name]!;
  for (const c of ['Num = 0.1', 'Time instant', 'Bool false', 'LNum element', 'LTime element']) out[`${root}.Attributes.${c}`] = 'yes';
  return out;
}

async function campaign(s: TestServer, appId: number, body: Json, rules: unknown[]): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { tags: [], features: [], limits: [], ...body });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules, activate: true });
  assert.equal(r.statusCode, 201, r.body);
  return c.json().id;
}

for (const kind of STORES) {
  describe(`rule paths end to end (${kind.name})`, () => {
    after(() => kind.cleanup());

    let clock = new Date('2025-03-01T10:00:00Z');
    const withServer = (t: { skip(m: string): void }, fn: (s: TestServer) => Promise<void>) => {
      clock = new Date('2025-03-01T10:00:00Z');
      return withTestServer(kind, t, fn, () => clock);
    };

    test('Session, Item, Profile, Application, Campaign, Store and Event paths in a session', (t) => withServer(t, async (s) => {
      for (const e of ['CustomerSession', 'CustomerProfile', 'CartItem', 'Campaign', 'Application', 'Store']) await defineAttributes(s, e);
      for (const [name, type] of [['shipping', 'both'], ['handling', 'item']]) {
        const c = await s.mgmt('POST', '/v1/additional_costs', { name, title: name, description: name, type });
        assert.equal(c.statusCode, 201, c.body);
      }
      const { id: appId, key } = await s.newApplication({ name: 'Probe shop', currency: 'CHF', timezone: 'Europe/Zurich', attributes: ATTRS });
      const st = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'Main street', description: '', integrationId: 'STORE-1', attributes: ATTRS });
      assert.equal(st.statusCode, 201, st.body);

      const item = (k: Kind, path: string, cond: unknown = true) =>
        ({ title: `Item.${path}`, condition: ['and', cond], effects: [note(`Item.${path}`, ['join', ['map', P('Session.CartItems'), [['Item'], ['catch', '-', show(k, P(`Item.${path}`))]]], ';'])] });
      const rules = [
        probe('Session.Total', 'num'), probe('Session.CartItemTotal', 'num'), probe('Session.AdditionalCostTotal', 'num'),
        check('Session.Total exact', ['=', P('Session.Total'), 25.79]),
        probe('Session.AdditionalCosts.shipping.Price', 'num'),
        probe('Session.IntegrationId', 'str'), probe('Session.ProfileId', 'str'), probe('Session.CouponCodes', 'lstr'),
        probe('Session.ReferralCode', 'str'), probe('Session.State', 'str'), probe('Session.FirstSession', 'bool'),
        probe('Session.UpdateCount', 'num'), probe('Session.Created', 'time'), probe('Session.Updated', 'time'),
        probe('Session.StoreIntegrationId', 'str'), probe('Session.Identifiers', 'lstr'), probe('Session.LoyaltyCards', 'lstr'),
        probe('Session.Currency', 'str'),
        check('Session.CartItems count', ['=', ['count', P('Session.CartItems')], 3]),
        ...attributeProbes('Session'),
        item('str', 'Name', true), item('str', 'Sku'), item('num', 'Quantity'), item('num', 'Price'),
        item('str', 'Category'), item('str', 'Product.Name'),
        item('num', 'Weight'), item('num', 'Height'), item('num', 'Width'), item('num', 'Length'),
        item('num', 'Position'), item('num', 'SubPosition'), item('num', 'ReturnedQuantity'), item('num', 'RemainingQuantity'),
        item('num', 'AdditionalCosts.shipping.Price'), item('str', 'Attributes.Str'), item('num', 'Attributes.Num'),
        item('time', 'Attributes.Time'), item('bool', 'Attributes.Bool'),
        ...attributeProbes('Profile'),
        probe('Profile.IntegrationId', 'str'), probe('Profile.ClosedSessions', 'num'), probe('Profile.TotalSales', 'num'),
        probe('Profile.Created', 'time'), probe('Profile.LastActivity', 'time'), probe('Profile.AudienceIds', 'lnum'),
        probe('Application.Id', 'num'), probe('Application.Name', 'str'), probe('Application.Currency', 'str'), probe('Application.Timezone', 'str'),
        ...attributeProbes('Application'),
        probe('Campaign.Id', 'num'), probe('Campaign.Name', 'str'), probe('Campaign.Tags', 'lstr'),
        probe('Campaign.StartTime', 'time'), probe('Campaign.EndTime', 'time'),
        ...attributeProbes('Campaign'),
        probe('Store.IntegrationId', 'str'), probe('Store.Name', 'str'),
        ...attributeProbes('Store'),
        probe('Event.Type', 'str'), probe('Event.Created', 'time'),
      ];
      const campaignId = await campaign(s, appId, {
        name: 'Probe "all"', tags: ['b', 'a'], startTime: '2025-01-01T00:00:00+01:00', endTime: '2026-01-01T00:00:00Z', attributes: ATTRS,
      }, rules);

      clock = new Date('2025-03-01T10:30:00Z');
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/p1', { attributes: ATTRS })).statusCode, 200);
      clock = new Date('2025-03-01T10:45:00Z');
      const s0 = await s.integ(key, 'PUT', '/v2/customer_sessions/s0', { customerSession: { profileId: 'p1', state: 'closed', cartItems: [{ sku: 'X', quantity: 3, price: 0.1 }] } });
      assert.equal(s0.statusCode, 200, s0.body);
      const s0b = await s.integ(key, 'PUT', '/v2/customer_sessions/s0b', { customerSession: { profileId: 'p1', state: 'closed', cartItems: [{ sku: 'X', quantity: 1, price: 0.2 }] } });
      assert.equal(s0b.statusCode, 200, s0b.body);
      clock = new Date('2025-03-01T11:00:00Z');
      const body = {
        customerSession: {
          profileId: 'p1', storeIntegrationId: 'STORE-1', identifiers: ['dev-1', 'dev-2'], attributes: ATTRS,
          additionalCosts: { shipping: { price: 4.99 } },
          cartItems: [
            { sku: 'A', name: 'Alpha', quantity: 2, price: 10.1, category: 'Kitchen', product: { name: 'Pots' }, weight: 0, height: 1.5, width: 2, length: 3,
              attributes: ATTRS, additionalCosts: { shipping: { price: 0.2 } } },
            { sku: 'B', quantity: 1, price: 0.2 },
          ],
        },
        responseContent: ['ruleFailureReasons', 'customerSession', 'customerProfile'],
      };
      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', body);
      const expected = {
        'Session.Total': '25.79', 'Session.CartItemTotal': '20.4', 'Session.AdditionalCostTotal': '5.39', 'Session.Total exact': 'yes',
        'Session.AdditionalCosts.shipping.Price': '4.99', 'Session.IntegrationId': 's1', 'Session.ProfileId': 'p1', 'Session.CouponCodes': '',
        'Session.State': 'open', 'Session.FirstSession': 'false', 'Session.UpdateCount': '1',
        'Session.Created': '2025-03-01T11:00:00Z', 'Session.Updated': '2025-03-01T11:00:00Z', 'Session.StoreIntegrationId': 'STORE-1',
        'Session.Identifiers': 'dev-1,dev-2', 'Session.LoyaltyCards': '', 'Session.Currency': 'CHF', 'Session.CartItems count': 'yes',
        ...attributeExpect('Session'),
        'Item.Name': 'Alpha;Alpha;-', 'Item.Sku': 'A;A;B', 'Item.Quantity': '1;1;1', 'Item.Price': '10.1;10.1;0.2',
        'Item.Category': 'Kitchen;Kitchen;-', 'Item.Product.Name': 'Pots;Pots;-',
        'Item.Weight': '0;0;-', 'Item.Height': '1.5;1.5;-', 'Item.Width': '2;2;-', 'Item.Length': '3;3;-',
        'Item.Position': '0;0;1', 'Item.SubPosition': '0;1;0', 'Item.ReturnedQuantity': '0;0;0', 'Item.RemainingQuantity': '2;2;1',
        'Item.AdditionalCosts.shipping.Price': '0.2;0.2;-', 'Item.Attributes.Str': 'Zürich;Zürich;-', 'Item.Attributes.Num': '0.1;0.1;-',
        'Item.Attributes.Time': '2025-03-02T00:30:00Z;2025-03-02T00:30:00Z;-', 'Item.Attributes.Bool': 'false;false;-',
        ...attributeExpect('Profile'),
        'Profile.IntegrationId': 'p1', 'Profile.ClosedSessions': '2', 'Profile.TotalSales': '0.5',
        'Profile.Created': '2025-03-01T10:30:00Z', 'Profile.LastActivity': '2025-03-01T11:00:00Z', 'Profile.AudienceIds': '',
        'Application.Id': String(appId), 'Application.Name': 'Probe shop', 'Application.Currency': 'CHF', 'Application.Timezone': 'Europe/Zurich',
        ...attributeExpect('Application'),
        'Campaign.Id': String(campaignId), 'Campaign.Name': 'Probe "all"', 'Campaign.Tags': 'b,a',
        'Campaign.StartTime': '2024-12-31T23:00:00Z', 'Campaign.EndTime': '2026-01-01T00:00:00Z',
        ...attributeExpect('Campaign'),
        'Store.IntegrationId': 'STORE-1', 'Store.Name': 'Main street',
        ...attributeExpect('Store'),
        'Event.Type': 'talon_session_created', 'Event.Created': '2025-03-01T11:00:00Z',
      };
      expectSeen(r, expected);
      // no referral code: the path is absent, reading it is an evaluation error
      assert.deepEqual(failures(r), ['Session.ReferralCode: error: Unable to find `Session.ReferralCode`']);

      // an update that sends nothing: the rules see the stored session as they saw the sent one
      clock = new Date('2025-03-01T11:30:00Z');
      const again = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: {}, responseContent: ['ruleFailureReasons'] });
      expectSeen(again, {
        ...expected, 'Session.UpdateCount': '2', 'Session.Updated': '2025-03-01T11:30:00Z', 'Profile.LastActivity': '2025-03-01T11:30:00Z',
        'Event.Type': 'talon_session_updated', 'Event.Created': '2025-03-01T11:30:00Z',
      });
    }));

    test('lifecycle: updates, close, cancel, anonymous and dry sessions', (t) => withServer(t, async (s) => {
      await defineAttributes(s, 'CustomerSession');
      const { id: appId, key } = await s.newApplication();
      const rules = [
        probe('Session.UpdateCount', 'num'), probe('Session.Created', 'time'), probe('Session.Updated', 'time'), probe('Session.State', 'str'),
        probe('Session.FirstSession', 'bool'), probe('Session.ProfileId', 'str'), probe('Session.Total', 'num'), probe('Session.Attributes.Str', 'str'),
        probe('Session.CouponCodes', 'lstr'), probe('Session.ReferralCode', 'str'),
        probe('Event.Type', 'str'), probe('Event.Created', 'time'),
        probe('Profile.IntegrationId', 'str'), probe('Profile.ClosedSessions', 'num'), probe('Profile.TotalSales', 'num'),
        probe('Profile.Created', 'time'), probe('Profile.LastActivity', 'time'),
      ];
      await campaign(s, appId, { name: 'Lifecycle' }, rules);
      const put = (id: string, cs: Json, q = '') => s.integ(key, 'PUT', `/v2/customer_sessions/${id}${q}`, { customerSession: cs, responseContent: ['ruleFailureReasons'] });
      const unbound = (...paths: string[]) => paths.map((p) => `${p}: error: Unable to find \`${p}\``);
      const noProfile = ['IntegrationId', 'ClosedSessions', 'TotalSales', 'Created', 'LastActivity']
        .map((f) => `Profile.${f}: error: Unable to find \`Profile\` (not bound in this evaluation)`);
      const T = (hm: string) => `2025-03-01T${hm}:00Z`;

      clock = new Date(T('11:00'));
      const created = await put('s1', { profileId: 'p1', attributes: { Str: 'x' }, cartItems: [{ sku: 'A', quantity: 1, price: 5 }] });
      const first = {
        'Session.UpdateCount': '1', 'Session.Created': T('11:00'), 'Session.Updated': T('11:00'), 'Session.State': 'open', 'Session.FirstSession': 'true',
        'Session.ProfileId': 'p1', 'Session.Total': '5', 'Session.Attributes.Str': 'x', 'Session.CouponCodes': '',
        'Event.Type': 'talon_session_created', 'Event.Created': T('11:00'),
        'Profile.IntegrationId': 'p1', 'Profile.ClosedSessions': '0', 'Profile.TotalSales': '0', 'Profile.Created': T('11:00'), 'Profile.LastActivity': T('11:00'),
      };
      expectSeen(created, first);
      assert.deepEqual(failures(created), unbound('Session.ReferralCode'));

      clock = new Date(T('11:30'));
      const updated = await put('s1', { cartItems: [{ sku: 'A', quantity: 2, price: 5.05 }], couponCodes: ['NOPE', 'NADA'], referralCode: 'NOREF' });
      const second = {
        ...first, 'Session.UpdateCount': '2', 'Session.Updated': T('11:30'), 'Session.Total': '10.1', 'Session.CouponCodes': 'NOPE,NADA',
        'Session.ReferralCode': 'NOREF', 'Event.Type': 'talon_session_updated', 'Event.Created': T('11:30'), 'Profile.LastActivity': T('11:30'),
      };
      expectSeen(updated, second);

      // a dry request evaluates its payload alone (docs/sessions.md, "Dry runs"): no profile, nothing stored counts
      const dry = await put('s1', { cartItems: [{ sku: 'A', quantity: 3, price: 5 }] }, '?dry=true');
      expectSeen(dry, { 'Session.UpdateCount': '2', 'Session.Total': '15', 'Session.CouponCodes': '', 'Event.Type': 'talon_session_updated' });
      assert.deepEqual(failures(dry), [...unbound('Session.ProfileId', 'Session.Attributes.Str', 'Session.ReferralCode'), ...noProfile]);

      // the closing evaluation sees the profile's counters before this session is counted
      clock = new Date(T('12:00'));
      const closed = await put('s1', { state: 'closed' });
      expectSeen(closed, {
        ...second, 'Session.UpdateCount': '3', 'Session.Updated': T('12:00'), 'Session.State': 'closed',
        'Event.Type': 'talon_session_closed', 'Event.Created': T('12:00'), 'Profile.LastActivity': T('12:00'),
      });

      clock = new Date(T('12:30'));
      const next = await put('s2', { profileId: 'p1', cartItems: [{ sku: 'A', quantity: 1, price: 5 }] });
      expectSeen(next, {
        ...first, 'Session.Created': T('12:30'), 'Session.Updated': T('12:30'), 'Session.FirstSession': 'false', 'Event.Created': T('12:30'),
        'Profile.ClosedSessions': '1', 'Profile.TotalSales': '10.1', 'Profile.LastActivity': T('12:30'), 'Session.Attributes.Str': undefined,
      });

      const anonymous = await put('anon', { cartItems: [{ sku: 'A', quantity: 1, price: 5 }] });
      expectSeen(anonymous, { 'Session.FirstSession': 'true', 'Session.State': 'open', 'Event.Type': 'talon_session_created' });
      assert.deepEqual(failures(anonymous), [...unbound('Session.ProfileId', 'Session.Attributes.Str', 'Session.ReferralCode'), ...noProfile]);

      // a dry request for an unknown profile: an empty profile, created now (but not stored)
      const dryNew = await put('new', { profileId: 'p-new', cartItems: [{ sku: 'A', quantity: 1, price: 5 }] }, '?dry=true');
      expectSeen(dryNew, { 'Session.UpdateCount': '0', 'Profile.IntegrationId': 'p-new', 'Profile.ClosedSessions': '0', 'Profile.Created': T('12:30') });
    }));

    test('Coupon, Referral and AdvocateProfile paths', (t) => withServer(t, async (s) => {
      for (const e of ['Coupon', 'Referral', 'CustomerProfile']) await defineAttributes(s, e);
      const { id: appId, key } = await s.newApplication();
      // Coupon is bound in the coupon passes only: rules whose condition calls couponValid (docs/engine.md, "Passes")
      const valid = ['couponValid'];
      const couponFields: [string, Kind][] = [
        ['Value', 'str'], ['Code', 'str'], ['Id', 'num'], ['CampaignId', 'num'], ['UsageLimit', 'num'], ['UsageCounter', 'num'],
        ['DiscountLimit', 'num'], ['DiscountCounter', 'num'], ['DiscountRemainder', 'num'], ['StartDate', 'time'], ['ExpiryDate', 'time'],
        ['RecipientIntegrationId', 'str'], ['BatchId', 'str'],
      ];
      const couponRules = [
        ...couponFields.map(([f, k]) => probe(`Coupon.${f}`, k, valid)),
        ...attributeProbes('Coupon').map((r) => ({ ...r, condition: ['and', valid, ...r.condition.slice(1)] })),
        probe('Coupon.Attributes.Num', 'num', true, 'Coupon outside a coupon pass'),
        { title: 'discount', condition: ['and', valid], effects: [['setDiscount', 'coupon', 2.5]] },
      ];
      const cc = await campaign(s, appId, { name: 'Coupons', features: ['coupons'] }, couponRules);
      const made = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${cc}/coupons?silent=no`, {
        numberOfCoupons: 1, usageLimit: 5, discountLimit: 100.5, startDate: '2025-02-01T00:00:00+01:00', expiryDate: '2026-01-01T00:00:00Z',
        recipientIntegrationId: 'p1', attributes: ATTRS,
      });
      assert.equal(made.statusCode, 200, made.body);
      const coupon = made.json().data[0] as Json;

      const refRules = [
        probe('Referral.Code', 'str'), probe('Referral.AdvocateProfileIntegrationId', 'str'), probe('Referral.FriendProfileIntegrationId', 'str'),
        probe('Referral.UsageLimit', 'num'), probe('Referral.UsageCounter', 'num'), probe('Referral.StartDate', 'time'), probe('Referral.ExpiryDate', 'time'),
        ...attributeProbes('Referral'),
        probe('AdvocateProfile.IntegrationId', 'str'), probe('AdvocateProfile.ClosedSessions', 'num'), probe('AdvocateProfile.TotalSales', 'num'),
        probe('AdvocateProfile.Created', 'time'), probe('AdvocateProfile.LastActivity', 'time'), probe('AdvocateProfile.AudienceIds', 'lnum'),
        ...attributeProbes('AdvocateProfile'),
        { title: 'redeem', condition: ['and', ['referralValid'], ['=', P('Session.State'), 'closed']], effects: [['showNotification', 'Info', 'r', 'r']] },
      ];
      const rc = await campaign(s, appId, { name: 'Referrals', features: ['referrals'] }, refRules);
      clock = new Date('2025-03-01T09:00:00Z');
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/adv', { attributes: ATTRS })).statusCode, 200);
      const advSession = await s.integ(key, 'PUT', '/v2/customer_sessions/adv-1', { customerSession: { profileId: 'adv', state: 'closed', cartItems: [{ sku: 'A', quantity: 3, price: 2.3 }] } });
      assert.equal(advSession.statusCode, 200, advSession.body);
      const ref = await s.integ(key, 'POST', '/v1/referrals', {
        campaignId: rc, advocateProfileIntegrationId: 'adv', friendProfileIntegrationId: 'p1', usageLimit: 3,
        startDate: '2025-02-01T00:00:00+01:00', expiryDate: '2026-01-01T00:00:00Z', attributes: ATTRS,
      });
      assert.equal(ref.statusCode, 201, ref.body);
      const code = ref.json().code as string;

      const couponSeen = (usage: string, discounted: string, remainder: string) => ({
        'Coupon.Value': coupon.value, 'Coupon.Code': coupon.value, 'Coupon.Id': String(coupon.id), 'Coupon.CampaignId': String(cc),
        'Coupon.UsageLimit': '5', 'Coupon.UsageCounter': usage, 'Coupon.DiscountLimit': '100.5', 'Coupon.DiscountCounter': discounted,
        'Coupon.DiscountRemainder': remainder, 'Coupon.StartDate': '2025-01-31T23:00:00Z', 'Coupon.ExpiryDate': '2026-01-01T00:00:00Z',
        'Coupon.RecipientIntegrationId': 'p1', 'Coupon.BatchId': coupon.batchId, ...attributeExpect('Coupon'),
      });
      const referralSeen = (usage: string) => ({
        'Referral.Code': code, 'Referral.AdvocateProfileIntegrationId': 'adv', 'Referral.FriendProfileIntegrationId': 'p1',
        'Referral.UsageLimit': '3', 'Referral.UsageCounter': usage, 'Referral.StartDate': '2025-01-31T23:00:00Z', 'Referral.ExpiryDate': '2026-01-01T00:00:00Z',
        ...attributeExpect('Referral'),
        'AdvocateProfile.IntegrationId': 'adv', 'AdvocateProfile.ClosedSessions': '1', 'AdvocateProfile.TotalSales': '6.9',
        'AdvocateProfile.Created': '2025-03-01T09:00:00Z', 'AdvocateProfile.LastActivity': '2025-03-01T09:00:00Z', 'AdvocateProfile.AudienceIds': '',
        ...attributeExpect('AdvocateProfile'),
      });
      const put = (id: string, cs: Json) => s.integ(key, 'PUT', `/v2/customer_sessions/${id}`, { customerSession: cs, responseContent: ['ruleFailureReasons'] });
      const outside = ['Coupon outside a coupon pass: error: Unable to find `Coupon` (not bound in this evaluation)'];

      clock = new Date('2025-03-01T10:00:00Z');
      const c1 = await put('c1', { profileId: 'p1', couponCodes: [coupon.value], referralCode: code, state: 'closed', cartItems: [{ sku: 'A', quantity: 1, price: 50 }] });
      expectSeen(c1, { ...couponSeen('0', '0', '100.5'), ...referralSeen('0') });
      assert.deepEqual(failures(c1), outside);

      // the counters committed by the close are what the next session's rules see (p1 cannot be referred twice)
      clock = new Date('2025-03-01T11:00:00Z');
      const c2 = await put('c2', { profileId: 'p1', couponCodes: [coupon.value], cartItems: [{ sku: 'A', quantity: 1, price: 50 }] });
      expectSeen(c2, couponSeen('1', '2.5', '98'));
      const open = await s.integ(key, 'POST', '/v1/referrals', { campaignId: rc, advocateProfileIntegrationId: 'adv', usageLimit: 3 });
      assert.equal(open.statusCode, 201, open.body);
      const r = open.json().code as string;
      assert.equal((await put('c3', { profileId: 'p2', referralCode: r, state: 'closed' })).statusCode, 200);
      const c4 = await put('c4', { profileId: 'p3', referralCode: r });
      expectSeen(c4, { 'Referral.Code': r, 'Referral.UsageCounter': '1', 'Referral.UsageLimit': '3', 'Referral.FriendProfileIntegrationId': undefined });
      assert.ok(failures(c4).includes('Referral.FriendProfileIntegrationId: error: Unable to find `Referral.FriendProfileIntegrationId`'), failures(c4).join('\n'));
    }));

    test('Event, Profile and Store paths on custom events and profile updates (Session unbound)', (t) => withServer(t, async (s) => {
      await defineAttributes(s, 'Event', 'probe');
      for (const e of ['CustomerProfile', 'Store']) await defineAttributes(s, e);
      const { id: appId, key } = await s.newApplication();
      assert.equal((await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'Kiosk', description: '', integrationId: 'K-1', attributes: ATTRS })).statusCode, 201);
      const rules = [
        probe('Event.Type', 'str'), probe('Event.Created', 'time'), ...attributeProbes('Event'),
        probe('Profile.IntegrationId', 'str'), probe('Profile.ClosedSessions', 'num'), probe('Profile.TotalSales', 'num'),
        probe('Profile.Created', 'time'), probe('Profile.LastActivity', 'time'), ...attributeProbes('Profile'),
        probe('Store.IntegrationId', 'str'), probe('Store.Name', 'str'), ...attributeProbes('Store'),
        probe('Session.Total', 'num'),
      ];
      await campaign(s, appId, { name: 'Events' }, rules);
      clock = new Date('2025-03-01T08:00:00Z');
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/p1', { attributes: ATTRS })).statusCode, 200);
      clock = new Date('2025-03-01T09:00:00Z');
      const sess = await s.integ(key, 'PUT', '/v2/customer_sessions/e0', { customerSession: { profileId: 'p1', state: 'closed', cartItems: [{ sku: 'A', quantity: 3, price: 0.1 }] } });
      assert.equal(sess.statusCode, 200, sess.body);

      clock = new Date('2025-03-01T10:00:00Z');
      const ev = await s.integ(key, 'POST', '/v2/events?silent=no', { type: 'probe', profileId: 'p1', storeIntegrationId: 'K-1', attributes: ATTRS, responseContent: ['ruleFailureReasons'] });
      const profile = (lastActivity: string) => ({
        'Profile.IntegrationId': 'p1', 'Profile.ClosedSessions': '1', 'Profile.TotalSales': '0.3',
        'Profile.Created': '2025-03-01T08:00:00Z', 'Profile.LastActivity': lastActivity,
      });
      expectSeen(ev, {
        'Event.Type': 'probe', 'Event.Created': '2025-03-01T10:00:00Z', ...attributeExpect('Event'),
        ...profile('2025-03-01T10:00:00Z'), ...attributeExpect('Profile'),
        'Store.IntegrationId': 'K-1', 'Store.Name': 'Kiosk', ...attributeExpect('Store'),
      });
      assert.deepEqual(failures(ev), ['Session.Total: error: Unable to find `Session` (not bound in this evaluation)']);

      clock = new Date('2025-03-01T11:00:00Z');
      const pr = await s.integ(key, 'PUT', '/v2/customer_profiles/p1?runRuleEngine=true', { attributes: { Str: 'new', Num: 2.5 }, responseContent: ['ruleFailureReasons'] });
      expectSeen(pr, {
        'Event.Type': 'talon_profile_updated', 'Event.Created': '2025-03-01T11:00:00Z', ...profile('2025-03-01T11:00:00Z'),
        ...attributeExpect('Profile'), 'Profile.Attributes.Str': 'new', 'Profile.Attributes.Num': '2.5', 'Profile.Attributes.Num = 0.1': undefined,
      });
    }));

    test('built-in profile attributes (Name, BirthDate…) are accepted and read by their type', (t) => withServer(t, async (s) => {
      const { id: appId, key } = await s.newApplication();
      await campaign(s, appId, { name: 'Built-ins' }, [
        probe('Profile.Attributes.Name', 'str'), probe('Profile.Attributes.BirthDate', 'time'),
        check('born before 1991', ['before', P('Profile.Attributes.BirthDate'), time('1991-01-01T00:00:00Z')]),
      ]);
      const pr = await s.integ(key, 'PUT', '/v2/customer_profiles/p1', { attributes: { Name: 'Ann Lee', BirthDate: '1990-05-01T00:00:00+02:00' } });
      assert.equal(pr.statusCode, 200, pr.body);
      // a built-in attribute keeps its type
      const bad = await s.integ(key, 'PUT', '/v2/customer_profiles/p1', { attributes: { BirthDate: 'May 1st' } });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().errors[0].source.pointer, '/attributes/BirthDate');
      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/b1', { customerSession: { profileId: 'p1' }, responseContent: ['ruleFailureReasons'] });
      expectSeen(r, { 'Profile.Attributes.Name': 'Ann Lee', 'Profile.Attributes.BirthDate': '1990-04-30T22:00:00Z', 'born before 1991': 'yes' });
    }));

    test('Application attributes are checked like every entity\'s, so rules see them by their declared type', (t) => withServer(t, async (s) => {
      await defineAttributes(s, 'Application');
      const bad = async (r: Promise<LightMyRequestResponse>, pointer: string) => {
        const res = await r;
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().errors[0].source.pointer, pointer);
      };
      const base = { name: 'Shop', currency: 'EUR', timezone: 'UTC' };
      await bad(s.mgmt('POST', '/v1/applications', { ...base, attributes: { Num: '0.1' } }), '/attributes/Num');
      await bad(s.mgmt('POST', '/v1/applications', { ...base, attributes: { Time: 'tomorrow' } }), '/attributes/Time');
      await bad(s.mgmt('POST', '/v1/applications', { ...base, attributes: { Undefined: 1 } }), '/attributes/Undefined');
      const { id: appId, key } = await s.newApplication({ attributes: { Num: 0.1 } });
      await bad(s.mgmt('PUT', `/v1/applications/${appId}`, { ...base, attributes: { LNum: ['1'] } }), '/attributes/LNum');
      await campaign(s, appId, { name: 'App' }, [probe('Application.Attributes.Num', 'num'), probe('Application.Attributes.Time', 'time')]);
      const r1 = await s.integ(key, 'PUT', '/v2/customer_sessions/a1', { customerSession: {}, responseContent: ['ruleFailureReasons'] });
      expectSeen(r1, { 'Application.Attributes.Num': '0.1' });
      // an update reaches the next evaluation
      const upd = await s.mgmt('PUT', `/v1/applications/${appId}`, { ...base, name: 'Renamed', attributes: { Num: 2, Time: '2025-03-01T12:00:00+01:00' } });
      assert.equal(upd.statusCode, 200, upd.body);
      const r2 = await s.integ(key, 'PUT', '/v2/customer_sessions/a1', { customerSession: {}, responseContent: ['ruleFailureReasons'] });
      expectSeen(r2, { 'Application.Attributes.Num': '2', 'Application.Attributes.Time': '2025-03-01T11:00:00Z' });
    }));

    test('changes to the campaign and the store reach the next evaluation', (t) => withServer(t, async (s) => {
      for (const e of ['Campaign', 'Store']) await defineAttributes(s, e);
      const { id: appId, key } = await s.newApplication();
      const st = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'Old', description: '', integrationId: 'S-1', attributes: { Num: 1 } });
      assert.equal(st.statusCode, 201, st.body);
      const cid = await campaign(s, appId, { name: 'Before', attributes: { Num: 1 } }, [
        probe('Campaign.Name', 'str'), probe('Campaign.Tags', 'lstr'), probe('Campaign.EndTime', 'time'), probe('Campaign.Attributes.Num', 'num'),
        probe('Store.Name', 'str'), probe('Store.Attributes.Num', 'num'),
      ]);
      const session = () => s.integ(key, 'PUT', '/v2/customer_sessions/x1', { customerSession: { storeIntegrationId: 'S-1' }, responseContent: ['ruleFailureReasons'] });
      expectSeen(await session(), { 'Campaign.Name': 'Before', 'Campaign.Tags': '', 'Campaign.Attributes.Num': '1', 'Store.Name': 'Old', 'Store.Attributes.Num': '1' });
      const cu = await s.mgmt('PUT', `/v1/applications/${appId}/campaigns/${cid}`, {
        name: 'After', tags: ['t1'], features: [], limits: [], endTime: '2030-01-01T00:00:00Z', attributes: { Num: 1.25 },
      });
      assert.equal(cu.statusCode, 200, cu.body);
      const su = await s.mgmt('PUT', `/v1/applications/${appId}/stores/${st.json().id}`, { name: 'New', description: '', attributes: { Num: 2.5 } });
      assert.equal(su.statusCode, 200, su.body);
      expectSeen(await session(), {
        'Campaign.Name': 'After', 'Campaign.Tags': 't1', 'Campaign.EndTime': '2030-01-01T00:00:00Z', 'Campaign.Attributes.Num': '1.25',
        'Store.Name': 'New', 'Store.Attributes.Num': '2.5',
      });
    }));

    test('attributes written by updateAttribute are read back by their type', (t) => withServer(t, async (s) => {
      for (const e of ['CustomerSession', 'CustomerProfile']) await defineAttributes(s, e);
      const { id: appId, key } = await s.newApplication();
      await campaign(s, appId, { name: 'Writes' }, [
        ...['Num', 'Time', 'LNum', 'LTime'].map((n) => probe(`Session.Attributes.${n}`, KINDS.find((k) => k[0] === n)![2])),
        ...['Str', 'Num', 'Bool', 'Time'].map((n) => probe(`Profile.Attributes.${n}`, KINDS.find((k) => k[0] === n)![2])),
        { title: 'write', condition: ['and', ['=', P('Session.UpdateCount'), 1]], effects: [
          ['updateAttribute', 'Session.Attributes.Num', ['+', 0.1, 0.2]],
          ['updateAttribute', 'Session.Attributes.Time', ['now']],
          ['updateAttribute', 'Session.Attributes.LNum', ['list', 0.1, 3]],
          ['updateAttribute', 'Session.Attributes.LTime', ['list', ['now']]],
          ['updateAttribute', 'Profile.Attributes.Num', ['*', 1.1, 3]],
          ['updateAttribute', 'Profile.Attributes.Time', ['now']],
          ['updateAttribute', 'Profile.Attributes.Str', 'w'],
          ['updateAttribute', 'Profile.Attributes.Bool', true],
        ] },
      ]);
      clock = new Date('2025-03-01T10:00:00Z');
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_sessions/w1', { customerSession: { profileId: 'p1' } })).statusCode, 200);
      clock = new Date('2025-03-01T12:00:00Z');
      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/w1', { customerSession: {}, responseContent: ['ruleFailureReasons'] });
      expectSeen(r, {
        'Session.Attributes.Num': '0.3', 'Session.Attributes.Time': '2025-03-01T10:00:00Z', 'Session.Attributes.LNum': '0.1,3',
        'Session.Attributes.LTime': '2025-03-01T10:00:00Z',
        'Profile.Attributes.Str': 'w', 'Profile.Attributes.Num': '3.3', 'Profile.Attributes.Bool': 'true', 'Profile.Attributes.Time': '2025-03-01T10:00:00Z',
      });
    }));
  });
}
