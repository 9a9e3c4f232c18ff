/**
 * Campaign evaluation groups (CampaignEvaluationGroup): the evaluation tree.
 *
 * The Application root behaves as a stackable group. Campaigns without (or with an unknown)
 * `evaluationGroupId` and groups without (or with an unknown / cyclic) `parentId` hang off the root.
 * Member order: the group's `members` list when given (unknown entries skipped, missing ones appended),
 * else campaigns by ascending id followed by sub-groups by ascending id.
 */
import type { EngineCampaign, EngineEvaluationGroup, EvaluationMode, GroupMember } from './types.js';

export type EvalNode =
  | { kind: 'campaign'; campaign: EngineCampaign; group: EngineEvaluationGroup | null }
  | { kind: 'group'; group: EngineEvaluationGroup | null; mode: EvaluationMode; members: EvalNode[] };

function effectiveParent(g: EngineEvaluationGroup, byId: Map<number, EngineEvaluationGroup>): number | null {
  const seen = new Set<number>([g.id]);
  let p = g.parentId ?? null;
  while (p !== null) {
    const pg = byId.get(p);
    if (!pg || seen.has(p)) return null;       // unknown parent or cycle: attach to root
    seen.add(p);
    p = pg.parentId ?? null;
  }
  return g.parentId ?? null;
}

function ordered(explicit: GroupMember[] | undefined, campaigns: EngineCampaign[], groups: EngineEvaluationGroup[]): GroupMember[] {
  const cs = [...campaigns].sort((a, b) => a.id - b.id).map((c) => ({ campaignId: c.id }));
  const gs = [...groups].sort((a, b) => a.id - b.id).map((g) => ({ groupId: g.id }));
  if (!explicit) return [...cs, ...gs];
  const known = new Set([...cs.map((m) => `c${m.campaignId}`), ...gs.map((m) => `g${m.groupId}`)]);
  const out: GroupMember[] = [];
  const used = new Set<string>();
  for (const m of explicit) {
    const k = 'campaignId' in m ? `c${m.campaignId}` : `g${m.groupId}`;
    if (known.has(k) && !used.has(k)) { out.push(m); used.add(k); }
  }
  for (const m of [...cs, ...gs]) {
    const k = 'campaignId' in m ? `c${m.campaignId}` : `g${m.groupId}`;
    if (!used.has(k)) out.push(m);
  }
  return out;
}

export function buildTree(campaigns: EngineCampaign[], groups: EngineEvaluationGroup[] = [], rootMembers?: GroupMember[]): EvalNode {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const childGroups = new Map<number | null, EngineEvaluationGroup[]>();
  for (const g of groups) {
    const p = effectiveParent(g, byId);
    const l = childGroups.get(p) ?? [];
    l.push(g);
    childGroups.set(p, l);
  }
  const childCampaigns = new Map<number | null, EngineCampaign[]>();
  for (const c of campaigns) {
    const gid = c.evaluationGroupId != null && byId.has(c.evaluationGroupId) ? c.evaluationGroupId : null;
    const l = childCampaigns.get(gid) ?? [];
    l.push(c);
    childCampaigns.set(gid, l);
  }
  const campaignById = new Map(campaigns.map((c) => [c.id, c]));

  const build = (g: EngineEvaluationGroup | null): EvalNode => {
    const key = g ? g.id : null;
    const members: EvalNode[] = [];
    for (const m of ordered(g ? g.members : rootMembers, childCampaigns.get(key) ?? [], childGroups.get(key) ?? [])) {
      if ('campaignId' in m) members.push({ kind: 'campaign', campaign: campaignById.get(m.campaignId)!, group: g });
      else {
        const sub = build(byId.get(m.groupId)!);
        if (sub.kind === 'group' && sub.members.length > 0) members.push(sub);
      }
    }
    return { kind: 'group', group: g, mode: g ? g.mode : 'stackable', members };
  };
  return build(null);
}

/** Campaign ids under a node (for exclusion reasons). */
export function campaignIds(n: EvalNode): number[] {
  return n.kind === 'campaign' ? [n.campaign.id] : n.members.flatMap(campaignIds);
}
