/**
 * Loyalty in customer sessions, on both stores: earning and spending by rules, tentative balances of an open
 * session, what a close writes, rollbacks by cancel and reopen under the three return policies, card programs,
 * tier upgrades, isolation, and racing closes that pay with points.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { rebuild } from '../../src/domain/loyalty.js';
import { toNumber } from '../../src/domain/money.js';
import { ledgerHistory, ownerLedgers } from '../../src/store/repos/loyaltyLedgers.js';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

type Json = Record<string, any>;

const EARN = (pid: number) => ({ title: 'earn', condition: ['and', true], effects: [['addLoyaltyPoints', pid, '', ['.', 'Session', 'Total'], 'earn 1 per EUR']] });
const SPEND = (pid: number) => ({
  title: 'pay 100 points', condition: ['and', ['loyaltyPointsCanBeRedeemed', pid, 100]],
  effects: [['deductLoyaltyPoints', pid, '', 100, 'spend 100'], ['setDiscount', '100 points', 10]],
});
/** Spends without checking first: an insufficient balance must fail the whole rule. */
const SPEND_BLIND = (pid: number) => ({ title: 'pay 100 points', condition: ['and', true], effects: [['setDiscount', '100 points', 10], ['deductLoyaltyPoints', pid, '', 100, 'spend 100']] });

async function setup(s: TestServer, rules: (pid: number) => unknown[], extra: Json = {}) {
  const app = await s.newApplication();
  const p = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], extra));
  assert.equal(p.statusCode, 201, p.body);
  const pid = p.json().id as number;
  const c = await s.mgmt('POST', `/v1/applications/${app.id}/campaigns`, { name: 'Loyalty', tags: [], features: ['loyalty'], limits: [] });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${app.id}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules: rules(pid), activate: true });
  assert.equal(r.statusCode, 201, r.body);
  const put = async (id: string, session: Json, extraBody: Json = {}) => {
    const res = await s.integ(app.key, 'PUT', `/v2/customer_sessions/${id}`, { customerSession: session, responseContent: ['loyalty'], ...extraBody });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Json>();
  };
  const balances = async (who: string) => {
    const b = await s.integ(app.key, 'GET', `/v1/loyalty_programs/${pid}/profile/${who}/balances`);
    assert.equal(b.statusCode, 200, b.body);
    return b.json().balance as Json;
  };
  const add = (who: string, body: Json) => s.mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/${who}/add_points`, body);
  return { app, pid, campaignId: c.json().id as number, put, balances, add };
}

const cart = (price: number) => [{ sku: 'TEA', quantity: 1, price }];
const ofType = (r: Json, type: string) => (r.effects as Json[]).filter((e) => e.effectType === type);

async function assertRebuildMatches(s: TestServer, pid: number, who: string) {
  const at = new Date().toISOString();
  await s.db.transaction(async (sql) => {
    for (const l of await ownerLedgers(sql, pid, 'profile', who)) {
      const h = await ledgerHistory(sql, l.id, at);
      const rebuilt = rebuild(h.buckets, h.spent, at);
      for (const k of ['active', 'pending', 'spent', 'expired'] as const) assert.equal(toNumber(l.counters[k]), toNumber(rebuilt[k]), `${l.subledgerId || 'main'} ${k}`);
    }
  });
}

for (const kind of STORES) {
  describe(`loyalty in sessions (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('an open session shows tentative points; the close writes them with the UUID its effect announced', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid)]);
      const open = await x.put('s1', { profileId: 'alice', cartItems: cart(110.5) });
      const [add] = ofType(open, 'addLoyaltyPoints');
      assert.equal(add.props.value, 110.5);
      assert.equal(add.props.programId, x.pid);
      assert.equal(add.props.subLedgerId, '');
      assert.equal(add.props.recipientIntegrationId, 'alice');
      assert.match(add.props.transactionUUID, /^[0-9a-f-]{36}$/);
      const ledger = open.loyalty.programs[String(x.pid)].ledger;
      assert.equal(ledger.currentBalance, 0);
      assert.equal(ledger.tentativeCurrentBalance, 110.5);
      assert.deepEqual((await x.balances('alice')).activePoints, 0, 'nothing is written while the session is open');

      const closed = await x.put('s1', { state: 'closed' });
      const [written] = ofType(closed, 'addLoyaltyPoints');
      assert.equal(written.props.value, 110.5);
      const info = closed.loyalty.programs[String(x.pid)];
      assert.equal(info.id, x.pid);
      assert.equal(info.ledger.currentBalance, 110.5);
      assert.equal(info.ledger.tentativeCurrentBalance, 110.5);
      assert.equal((await x.balances('alice')).activePoints, 110.5);
      const log = await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/alice/transactions`);
      const [entry] = log.json().data as Json[];
      assert.equal(entry.transactionUUID, written.props.transactionUUID);
      assert.equal(entry.customerSessionId, 's1');
      assert.equal(entry.ruleName, 'earn');
      assert.equal(entry.amount, 110.5);
      const bySession = await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/profile/alice/ledger_transactions?loyaltyTransactionType=session`);
      assert.equal(bySession.json().data.length, 1);
      await assertRebuildMatches(s, x.pid, 'alice');
    }));

    test('a rule pays with points only when they are there; an insufficient balance fails the whole rule', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [SPEND_BLIND(pid)]);
      const poor = await x.put('p1', { profileId: 'bob', cartItems: cart(50), state: 'closed' }, { responseContent: ['loyalty', 'ruleFailureReasons'] });
      assert.deepEqual(ofType(poor, 'setDiscount'), [], 'no discount paid with points that are not there');
      assert.deepEqual(ofType(poor, 'deductLoyaltyPoints'), []);
      assert.ok((poor.ruleFailureReasons as Json[]).some((f) => /insufficient loyalty balance/.test(f.details)), JSON.stringify(poor.ruleFailureReasons));
      assert.equal((await x.add('bob', { points: 150 })).statusCode, 204);
      const paid = await x.put('p2', { profileId: 'bob', cartItems: cart(50), state: 'closed' });
      assert.equal(ofType(paid, 'setDiscount')[0].props.value, 10);
      const [d] = ofType(paid, 'deductLoyaltyPoints');
      assert.deepEqual([d.props.value, d.props.ruleTitle, d.props.name], [100, 'pay 100 points', 'spend 100']);
      assert.equal((await x.balances('bob')).activePoints, 50);
      assert.equal(paid.loyalty.programs[String(x.pid)].ledger.currentBalance, 50);
      await assertRebuildMatches(s, x.pid, 'bob');
    }));

    test('cancelling a closed session rolls its points back: only_pending keeps active points, refunds spent ones', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid), SPEND(pid)]);
      await x.add('carol', { points: 100 });
      const closed = await x.put('c1', { profileId: 'carol', cartItems: cart(30), state: 'closed' });
      assert.equal(ofType(closed, 'deductLoyaltyPoints').length, 1);
      assert.equal((await x.balances('carol')).activePoints, 30, '100 − 100 + 30');
      const cancelled = await x.put('c1', { state: 'cancelled' });
      const [rbAdd] = ofType(cancelled, 'rollbackAddedLoyaltyPoints');
      const [rbDeduct] = ofType(cancelled, 'rollbackDeductedLoyaltyPoints');
      assert.equal(rbAdd.props.value, 0, 'only_pending: active points stay');
      assert.equal(rbDeduct.props.value, 100, 'spent points are refunded');
      assert.equal(rbDeduct.props.recipientIntegrationId, 'carol');
      assert.equal((await x.balances('carol')).activePoints, 130);
      await assertRebuildMatches(s, x.pid, 'carol');
    }));

    test('within_balance removes active points but never below zero; unlimited leaves a negative balance', (t) => withTestServer(kind, t, async (s) => {
      for (const [policy, expected] of [['within_balance', { removed: 40, active: 0, negative: 0 }], ['unlimited', { removed: 60, active: 0, negative: 20 }]] as const) {
        const x = await setup(s, (pid) => [EARN(pid)], { returnPolicy: policy });
        await x.put('w1', { profileId: 'dan', cartItems: cart(60), state: 'closed' });
        assert.equal((await x.add('dan', { points: 5 })).statusCode, 204);
        assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${x.pid}/profile/dan/deduct_points`, { points: 25 })).statusCode, 204);
        const cancelled = await x.put('w1', { state: 'cancelled' });
        const [rb] = ofType(cancelled, 'rollbackAddedLoyaltyPoints');
        assert.equal(rb.props.value, expected.removed, policy);
        const b = await x.balances('dan');
        assert.equal(b.activePoints, expected.active, policy);
        assert.equal(b.negativePoints, expected.negative, policy);
        const log = await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/dan/transactions`);
        const [last] = log.json().data as Json[];
        assert.equal(last.transactionUUID, rb.props.transactionUUID);
        assert.equal(last.type, 'subtraction');
        assert.deepEqual(last.flags ?? {}, policy === 'unlimited' ? { createsNegativeBalance: true } : {});
        if (policy === 'unlimited') {
          assert.equal((await x.add('dan', { points: 30 })).statusCode, 204);
          const repaid = await x.balances('dan');
          assert.deepEqual([repaid.activePoints, repaid.negativePoints], [10, 0], 'new points first repay the negative balance');
          await assertRebuildMatches(s, x.pid, 'dan');
        }
      }
    }));

    test('several additions of one close repay a negative balance together, each against the balance the last one left', (t) => withTestServer(kind, t, async (s) => {
      const bonus = (pid: number) => ({ title: 'bonus', condition: ['and', ['>', ['.', 'Session', 'Total'], 25]], effects: [['addLoyaltyPoints', pid, '', 30, 'bonus']] });
      const x = await setup(s, (pid) => [EARN(pid), bonus(pid)], { returnPolicy: 'unlimited' });
      await x.put('n1', { profileId: 'ned', cartItems: cart(60), state: 'closed' });
      assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${x.pid}/profile/ned/deduct_points`, { points: 70 })).statusCode, 204);
      await x.put('n1', { state: 'cancelled' });
      assert.deepEqual([(await x.balances('ned')).activePoints, (await x.balances('ned')).negativePoints], [0, 70]);
      const closed = await x.put('n2', { profileId: 'ned', cartItems: cart(30), state: 'closed' });
      assert.equal(ofType(closed, 'addLoyaltyPoints').length, 2);
      const b = await x.balances('ned');
      assert.deepEqual([b.activePoints, b.negativePoints], [0, 10], '30 + 30 repay 60 of the 70');
      assert.equal(closed.loyalty.programs[String(x.pid)].ledger.negativeBalance, 10);
      await assertRebuildMatches(s, x.pid, 'ned');
    }));

    test('pending points of a reopened session are rolled back; a second close earns again', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid)], { defaultPending: '2D' });
      const closed = await x.put('r1', { profileId: 'erin', cartItems: cart(20), state: 'closed' });
      const [add] = ofType(closed, 'addLoyaltyPoints');
      assert.ok(add.props.startDate > new Date().toISOString(), 'a future start is announced');
      assert.equal(closed.loyalty.programs[String(x.pid)].ledger.pendingBalance, 20);
      const reopened = await s.integ(x.app.key, 'PUT', '/v2/customer_sessions/r1/reopen');
      assert.equal(reopened.statusCode, 200, reopened.body);
      const rb = (reopened.json().effects as Json[]).filter((e) => e.effectType === 'rollbackAddedLoyaltyPoints');
      assert.equal(rb[0].props.value, 20);
      assert.equal((await x.balances('erin')).pendingPoints, 0);
      await x.put('r1', { state: 'closed' });
      assert.equal((await x.balances('erin')).pendingPoints, 20);
      await assertRebuildMatches(s, x.pid, 'erin');
    }));

    test('a program the Application is not subscribed to fails the rule; anonymous sessions earn nothing', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid)]);
      const other = await s.newApplication();
      await s.mgmt('PUT', `/v1/loyalty_programs/${x.pid}`, { subscribedApplications: [other.id] });
      const r = await x.put('i1', { profileId: 'fay', cartItems: cart(10), state: 'closed' }, { responseContent: ['loyalty', 'ruleFailureReasons'] });
      assert.deepEqual(ofType(r, 'addLoyaltyPoints'), []);
      assert.ok((r.ruleFailureReasons as Json[]).some((f) => /not available to this Application/.test(f.details)));
      assert.deepEqual(r.loyalty, { programs: {} });
      await s.mgmt('PUT', `/v1/loyalty_programs/${x.pid}`, { subscribedApplications: [x.app.id] });
      const anon = await x.put('i2', { cartItems: cart(10), state: 'closed' });
      assert.deepEqual(ofType(anon, 'addLoyaltyPoints'), []);
    }));

    test('a ruleset naming a program the Application is not subscribed to is refused when it is saved', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid)], { allowSubledger: false });
      const save = (rules: unknown[]) => s.mgmt('POST', `/v1/applications/${x.app.id}/campaigns/${x.campaignId}/rulesets`, { bindings: [], rules, activate: true });
      const unknown = await save([{ title: 'r', condition: ['and', true], effects: [['addLoyaltyPoints', x.pid + 1000, '', 1, 'n']] }]);
      assert.equal(unknown.statusCode, 400, unknown.body);
      assert.match(unknown.body, /loyalty program \d+ does not exist or is not subscribed/);
      const sub = await save([{ title: 'r', condition: ['and', true], effects: [['deductLoyaltyPoints', x.pid, 'shoes', 1, 'n']] }]);
      assert.equal(sub.statusCode, 400, sub.body);
      assert.match(sub.body, /does not allow subledgers/);
    }));

    test('crossing a tier threshold announces changeLoyaltyTierLevel', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid)], { tiers: [{ name: 'Bronze', minPoints: 0 }, { name: 'Silver', minPoints: 100 }, { name: 'Gold', minPoints: 500 }] });
      await x.add('gus', { points: 90 });
      const r = await x.put('t1', { profileId: 'gus', cartItems: cart(20) });
      const [change] = ofType(r, 'changeLoyaltyTierLevel');
      assert.deepEqual([change.props.previousTierName, change.props.newTierName, change.props.programId, change.props.subLedgerId], ['Bronze', 'Silver', x.pid, '']);
      const again = await x.put('t2', { profileId: 'gus', cartItems: cart(5) });
      assert.deepEqual(ofType(again, 'changeLoyaltyTierLevel'), [], 'no upgrade, no effect');
    }));

    test('card programs: points go to the session card; blocked or foreign registered cards do not earn', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid), { title: 'card ok', condition: ['and', ['loyaltyCardValid', pid]], effects: [['showNotification', 'Info', 'card', 'valid']] }],
        { cardBased: true, usersPerCardLimit: 2 });
      const g = await s.integ(x.app.key, 'POST', `/v1/loyalty_programs/${x.pid}/cards`, {});
      assert.equal(g.statusCode, 200, g.body);
      const card = g.json().identifier as string;
      const r = await x.put('k1', { profileId: 'hal', loyaltyCards: [card], cartItems: cart(12.25), state: 'closed' });
      const [add] = ofType(r, 'addLoyaltyPoints');
      assert.equal(add.props.cardIdentifier, card);
      assert.equal(ofType(r, 'showNotification').length, 1, 'loyaltyCardValid');
      assert.equal(r.loyalty.cards[0].identifier, card);
      assert.equal(r.loyalty.cards[0].ledger.currentBalance, 12.25);
      const link = await s.integ(x.app.key, 'POST', `/v2/loyalty_programs/${x.pid}/cards/${card}/link_profile`, { integrationId: 'ivy' });
      assert.equal(link.statusCode, 200, link.body);
      const foreign = await x.put('k2', { profileId: 'hal', loyaltyCards: [card], cartItems: cart(5), state: 'closed' });
      assert.deepEqual(ofType(foreign, 'addLoyaltyPoints'), [], 'a registered card serves only its profiles');
      const own = await x.put('k3', { profileId: 'ivy', loyaltyCards: [card], cartItems: cart(5), state: 'closed' });
      assert.equal(ofType(own, 'addLoyaltyPoints').length, 1);
      const b = await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/cards/${card}/balances`);
      assert.equal(b.json().balance.activePoints, 17.25);
    }));

    test('custom events and profile updates with runRuleEngine earn points at once', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [{ title: 'signup bonus', condition: ['and', ['=', ['.', 'Event', 'Type'], 'signup']], effects: [['addLoyaltyPoints', pid, '', 25, 'signup']] },
        { title: 'profile bonus', condition: ['and', ['=', ['.', 'Event', 'Type'], 'talon_profile_updated']], effects: [['addLoyaltyPoints', pid, '', 5, 'profile']] }]);
      const ev = await s.integ(x.app.key, 'POST', '/v2/events?silent=no', { type: 'signup', profileId: 'jan', attributes: {} });
      assert.equal(ev.statusCode, 200, ev.body);
      assert.equal((ev.json().effects as Json[]).filter((e) => e.effectType === 'addLoyaltyPoints')[0].props.value, 25);
      assert.equal((await x.balances('jan')).activePoints, 25);
      const up = await s.integ(x.app.key, 'PUT', '/v2/customer_profiles/jan?runRuleEngine=true', { attributes: {} });
      assert.equal(up.statusCode, 200, up.body);
      assert.equal((await x.balances('jan')).activePoints, 30);
      const log = await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/jan/transactions`);
      assert.deepEqual((log.json().data as Json[]).map((e) => [e.name, e.amount, e.customerSessionId ?? '']), [['profile', 5, ''], ['signup', 25, '']]);
    }));

    test('a partial return rolls back the per-item points of the returned units', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [{ title: 'per item', condition: ['and', true],
        effects: [['map', ['.', 'Session', 'CartItems'], [['Item'], ['addLoyaltyPointsPerItem', pid, '', 10, 'per unit', ['.', 'Item']]]]] }], { returnPolicy: 'within_balance' });
      const closed = await x.put('ret1', { profileId: 'kim', cartItems: [{ sku: 'MUG', quantity: 3, price: 5 }], state: 'closed' });
      assert.equal(ofType(closed, 'addLoyaltyPoints').length, 3);
      assert.equal((await x.balances('kim')).activePoints, 30);
      const ret = await s.integ(x.app.key, 'POST', '/v2/customer_sessions/ret1/returns', { return: { returnedCartItems: [{ position: 0, quantity: 2 }] } });
      assert.equal(ret.statusCode, 200, ret.body);
      const rb = (ret.json().effects as Json[]).filter((e) => e.effectType === 'rollbackAddedLoyaltyPoints');
      assert.deepEqual(rb.map((e) => [e.props.value, e.props.cartItemPosition, e.props.cartItemSubPosition]), [[10, 0, 0], [10, 0, 1]]);
      assert.equal((await x.balances('kim')).activePoints, 10);
      await assertRebuildMatches(s, x.pid, 'kim');
    }));

    test('setLoyaltyPointsExpiryDate and extendLoyaltyPointsExpiryDate move the expiry of the points on close', (t) => withTestServer(kind, t, async (s) => {
      const attr = await s.mgmt('POST', '/v1/attributes', { entity: 'CustomerSession', name: 'action', title: 'action', type: 'string', description: '', suggestions: [], editable: true });
      assert.equal(attr.statusCode, 201, attr.body);
      const x = await setup(s, (pid) => [{ title: 'extend', condition: ['and', ['=', ['.', 'Session', 'Attributes', 'action'], 'extend']], effects: [['extendLoyaltyPointsExpiryDate', pid, '', '30D']] },
        { title: 'set', condition: ['and', ['=', ['.', 'Session', 'Attributes', 'action'], 'set']], effects: [['setLoyaltyPointsExpiryDate', pid, '', ['parseTime', '2031-01-01T00:00:00Z']]] }]);
      await x.add('lea', { points: 10, validUntil: '2030-01-01T00:00:00Z' });
      await x.add('lea', { points: 5 });
      const points = async () => ((await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/lea/points?sort=startDate`)).json().data as Json[]).map((p) => p.expiryDate);
      await x.put('e1', { profileId: 'lea', attributes: { action: 'extend' }, state: 'closed' });
      assert.deepEqual(await points(), ['2030-01-31T00:00:00.000Z', 'unlimited']);
      await x.put('e2', { profileId: 'lea', attributes: { action: 'set' }, state: 'closed' });
      assert.deepEqual(await points(), ['2031-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z']);
    }));

    test('getCustomerInventory with loyalty=true answers the profile ledgers', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [EARN(pid)], { programJoinPolicy: 'points_earned' });
      await x.add('max', { points: 12.5 });
      await x.add('max', { points: 2, subledgerId: 'drinks' });
      const inv = await s.integ(x.app.key, 'GET', '/v1/customer_profiles/max/inventory?loyalty=true');
      assert.equal(inv.statusCode, 200, inv.body);
      const prog = inv.json().loyalty.programs[String(x.pid)];
      assert.equal(prog.ledger.currentBalance, 12.5);
      assert.equal(prog.subLedgers.drinks.currentBalance, 2);
      assert.ok(prog.joinDate, 'joined by earning');
    }));

    test('campaign budgets createLoyaltyPoints and redeemLoyaltyPoints cap what rules give and take', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const p = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]));
      const pid = p.json().id as number;
      const c = await s.mgmt('POST', `/v1/applications/${app.id}/campaigns`, { name: 'B', tags: [], features: [], limits: [{ action: 'createLoyaltyPoints', limit: 50, entities: [] }, { action: 'redeemLoyaltyPoints', limit: 100, entities: [] }] });
      await s.mgmt('POST', `/v1/applications/${app.id}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules: [EARN(pid), SPEND(pid)], activate: true });
      await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/nia/add_points`, { points: 300 });
      const put = async (id: string) => (await s.integ(app.key, 'PUT', `/v2/customer_sessions/${id}`, { customerSession: { profileId: 'nia', cartItems: cart(40), state: 'closed' } })).json<Json>();
      const first = await put('b1');
      assert.deepEqual([ofType(first, 'addLoyaltyPoints')[0].props.value, ofType(first, 'deductLoyaltyPoints').length], [40, 1]);
      const second = await put('b2');
      assert.deepEqual(ofType(second, 'addLoyaltyPoints'), [], 'only 10 of the 50 left: no partial rewards by default');
      assert.deepEqual(ofType(second, 'deductLoyaltyPoints'), [], 'the redemption budget of 100 is spent');
    }));

    test('twelve sessions paying 100 from 500, closed at once, make exactly five payments', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, (pid) => [SPEND(pid)]);
      await x.add('race', { points: 500 });
      const closes = await Promise.all(Array.from({ length: 12 }, (_, i) => x.put(`race-${i}`, { profileId: 'race', cartItems: cart(40), state: 'closed' })));
      const paid = closes.filter((r) => ofType(r, 'deductLoyaltyPoints').length === 1);
      assert.equal(paid.length, 5);
      for (const r of closes) assert.equal(ofType(r, 'setDiscount').length, ofType(r, 'deductLoyaltyPoints').length, 'a discount only with its payment');
      assert.equal((await x.balances('race')).activePoints, 0);
      await assertRebuildMatches(s, x.pid, 'race');
    }));
  });
}
