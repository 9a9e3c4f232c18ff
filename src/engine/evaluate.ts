/**
 * `evaluate(input)`: the whole request — select campaigns, walk the evaluation tree, then reject every
 * coupon / referral code no campaign accepted (docs/engine.md, "Selection", "Order and groups",
 * "Rejections after all campaigns").
 */
import { randomUUID } from 'node:crypto';
import { evaluateCampaign, Facts, mergeNodeResults, newNodeResults, totalDiscount, type NodeResults, type CodeEntry, type Run } from './campaign.js';
import { normalizeCode, pickPassRejection, rejectEffect, rejectionForExclusion } from './coupons.js';
import type { EffectEnv } from './effects.js';
import { buildTree, campaignIds, type EvalNode } from './groups.js';
import { indexBudgets, Ledger } from './ledger.js';
import { buildRoots, flatten } from './roots.js';
import { selectCampaigns, type Exclusion } from './select.js';
import type { Decimal } from '../domain/money.js';
import type {
  BudgetUsage, CouponRedemption, Effect, EngineCampaign, EngineEvaluationGroup, EngineIds, EngineInput, EngineResult, EngineUsage, ReferralRedemption,
} from './types.js';

function randomCode(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase();
}

const defaultIds: EngineIds = {
  uuid: () => randomUUID(),
  couponCode: () => randomCode(),
  referralCode: () => randomCode(),
};

function exclude(results: NodeResults, node: EvalNode, reason: Exclusion): void {
  for (const id of campaignIds(node)) results.excluded.set(id, reason);
}

function evaluateNode(run: Run, node: EvalNode, results: NodeResults): void {
  if (node.kind === 'campaign') { evaluateCampaign(run, node.campaign, results); return; }
  switch (node.mode) {
    case 'stackable':
      for (const m of node.members) evaluateNode(run, m, results);
      return;
    case 'listOrder': {
      // The first member whose rules fire wins; later members are not evaluated.
      let won = false;
      for (const m of node.members) {
        if (won) { exclude(results, m, { kind: 'notTriggered', reason: 'CampaignIsNotFirst' }); continue; }
        const sub = newNodeResults();
        evaluateNode(run, m, sub);
        mergeNodeResults(results, sub);
        won = sub.fired;
      }
      return;
    }
    case 'lowestDiscount': case 'highestDiscount': {
      // Evaluate every member tentatively on the same state, keep the one giving the highest (lowest)
      // total discount among those that fired (ties: first in order), then evaluate for real.
      const highest = node.mode === 'highestDiscount';
      let winner = -1;
      let best = null as Decimal | null;
      const fired: boolean[] = [];
      node.members.forEach((m, i) => {
        const mark = run.ledger.mark();
        const sub = newNodeResults();
        evaluateNode(run, m, sub);
        run.ledger.undo(mark);
        fired.push(sub.fired);
        if (!sub.fired) return;
        const d = totalDiscount(sub);
        if (!best || (highest ? d.greaterThan(best) : d.lessThan(best))) { best = d; winner = i; }
      });
      node.members.forEach((m, i) => {
        if (fired[i] && i !== winner) {
          exclude(results, m, { kind: 'notTriggered', reason: highest ? 'CampaignGaveLowerDiscount' : 'CampaignGaveHigherDiscount' });
        } else evaluateNode(run, m, results);
      });
      return;
    }
  }
}

function dedupeCodes(input: EngineInput): CodeEntry[] {
  const cs = input.application.caseSensitivity;
  const byValue = new Map(input.coupons.map((c) => [c.value, c]));
  const seen = new Set<string>();
  const out: CodeEntry[] = [];
  for (const received of input.session.couponCodes) {
    const normalized = normalizeCode(received, cs);
    if (seen.has(normalized)) continue;
    seen.add(normalized);
    out.push({ received, normalized, coupon: byValue.get(normalized) ?? null });
  }
  return out;
}

function couponRejections(input: EngineInput, codes: CodeEntry[], results: NodeResults, excluded: Map<number, Exclusion>): Effect[] {
  const out: Effect[] = [];
  if (codes.length === 0) return out;
  const campaigns = new Map(input.campaigns.map((c) => [c.id, c]));
  for (const code of codes) {
    const res = results.codes.get(code.normalized);
    if (res?.accepted) continue;
    if (!code.coupon) { out.push(rejectEffect('rejectCoupon', code.received, -1, 0, { reason: 'CouponNotFound' })); continue; }
    const cid = code.coupon.campaignId;
    const rulesetId = campaigns.get(cid)?.ruleset?.id ?? 0;
    const ex = results.excluded.get(cid) ?? excluded.get(cid) ?? (campaigns.has(cid) ? undefined : { kind: 'notRunning' as const });
    const r = ex ? rejectionForExclusion(ex, 'Coupon') : pickPassRejection(res?.rejections ?? [], 'Coupon');
    out.push(rejectEffect('rejectCoupon', code.received, cid, rulesetId, r));
  }
  return out;
}

function referralRejection(input: EngineInput, results: NodeResults, excluded: Map<number, Exclusion>): Effect[] {
  const code = input.session.referralCode;
  if (!code || results.referral?.accepted) return [];
  const ref = input.referral;
  if (!ref) return [rejectEffect('rejectReferral', code, -1, 0, { reason: 'ReferralNotFound' })];
  const c = input.campaigns.find((x) => x.id === ref.campaignId);
  const ex = results.excluded.get(ref.campaignId) ?? excluded.get(ref.campaignId) ?? (c ? undefined : { kind: 'notRunning' as const });
  const r = ex ? rejectionForExclusion(ex, 'Referral') : pickPassRejection(results.referral?.rejections ?? [], 'Referral');
  return [rejectEffect('rejectReferral', code, ref.campaignId, c?.ruleset?.id ?? 0, r)];
}

/**
 * The evaluation tree depends only on the selected campaigns and the groups: services that keep their
 * loaded campaign list between requests (same array) get it rebuilt only when the selection, a
 * campaign's group or a group's parent/mode changes. Group member lists are treated as immutable.
 */
interface TreeCacheEntry {
  selected: EngineCampaign[];
  groupIds: (number | null | undefined)[];
  groups: EngineEvaluationGroup[] | undefined;
  groupShape: string;
  rootMembers: EngineInput['rootMembers'];
  tree: EvalNode;
}
const treeCache = new WeakMap<EngineCampaign[], TreeCacheEntry>();

function groupShape(groups: EngineEvaluationGroup[] | undefined): string {
  let s = '';
  if (groups) for (const g of groups) s += `${g.id}/${g.parentId ?? ''}/${g.mode};`;
  return s;
}

function evaluationTree(input: EngineInput, selected: EngineCampaign[]): EvalNode {
  const hit = treeCache.get(input.campaigns);
  const shape = groupShape(input.evaluationGroups);
  if (hit && hit.groups === input.evaluationGroups && hit.rootMembers === input.rootMembers && hit.groupShape === shape
    && hit.selected.length === selected.length && selected.every((c, i) => hit.selected[i] === c && hit.groupIds[i] === c.evaluationGroupId)) {
    return hit.tree;
  }
  const tree = buildTree(selected, input.evaluationGroups, input.rootMembers);
  treeCache.set(input.campaigns, {
    selected, groupIds: selected.map((c) => c.evaluationGroupId), groups: input.evaluationGroups, groupShape: shape, rootMembers: input.rootMembers, tree,
  });
  return tree;
}

/**
 * What the evaluation consumed. Budget usage and coupon discounts are summed from the ledger's journal
 * on first read: most updates of an open session without limits never read them (services/sessions).
 */
class Usage implements EngineUsage {
  readonly couponRedemptions: CouponRedemption[];
  readonly referralRedemption: ReferralRedemption | null;
  private b: BudgetUsage[] | undefined;
  private d: { couponId: number; amount: Decimal }[] | undefined;
  constructor(results: NodeResults, private readonly ledger: Ledger) {
    this.couponRedemptions = results.redemptions;
    this.referralRedemption = results.referralRedemption;
  }
  get budgets(): BudgetUsage[] { return this.b ??= this.ledger.usages(); }
  get couponDiscounts(): { couponId: number; amount: Decimal }[] { return this.d ??= this.ledger.couponDiscounts(); }
}

export function evaluate(input: EngineInput): EngineResult {
  const units = flatten(input.session.cartItems);
  const lineStart = new Map<number, number>();
  units.forEach((u, i) => { if (u.subPosition === 0) lineStart.set(u.position, i); });
  const env: EffectEnv = {
    input, units, lineStart,
    costIds: new Map(input.additionalCostDefs.map((d) => [d.name, d.id])),
    customEffects: new Map((input.customEffects ?? []).map((d) => [d.name, d])),
    ids: input.ids ?? defaultIds,
  };
  const ledger = new Ledger(units, input.session.additionalCosts, indexBudgets(input.budgets));
  const codes = dedupeCodes(input);
  const codesByCampaign = new Map<number, CodeEntry[]>();
  for (const c of codes) {
    if (!c.coupon) continue;
    const l = codesByCampaign.get(c.coupon.campaignId) ?? [];
    l.push(c);
    codesByCampaign.set(c.coupon.campaignId, l);
  }
  const run: Run = {
    input, env, ledger, base: buildRoots(input, units), baseVersion: ledger.version, codesByCampaign,
    includeFailures: input.options?.includeFailureReasons !== false,
    groups: new Map((input.evaluationGroups ?? []).map((g) => [g.id, g])),
    facts: new Facts(input, ledger),
  };
  const { selected, excluded } = selectCampaigns(input);
  const results = newNodeResults();
  evaluateNode(run, evaluationTree(input, selected), results);

  const effects = results.effects;
  for (const e of couponRejections(input, codes, results, excluded)) effects.push(e);
  for (const e of referralRejection(input, results, excluded)) effects.push(e);
  return {
    effects,
    ruleFailureReasons: results.failures,
    // each campaign is a single leaf of the tree and is evaluated into the result once (tentative
    // evaluations of lowest/highestDiscount groups are discarded): no id repeats
    triggeredCampaignIds: results.triggered,
    usage: new Usage(results, ledger),
    createdCoupons: results.createdCoupons,
    createdReferrals: results.createdReferrals,
  };
}
