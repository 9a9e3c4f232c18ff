/** Checks shared by create and update: the parent exists in the Application and forms no cycle; members exist. */
import type { EvaluationMode } from '../../domain/campaign.js';
import { invalidField, Title } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { listCampaigns, listEvaluationGroups, type EvaluationGroupMember } from '../../store/repos/campaigns.js';

export interface EvaluationGroupInput {
  name: string;
  /** null or absent on create: a child of the Application root; null on update moves the group there */
  parentId?: number | null;
  description?: string;
  evaluationMode: EvaluationMode;
  evaluationScope?: 'cartItem' | 'session';
  locked?: boolean;
  /** our extension: explicit evaluation order of the group's campaigns and sub-groups */
  members?: { campaignId?: number; groupId?: number }[];
}

/** Returns the members in their stored form. `selfId` is the group being updated (absent on create). */
export async function validateGroup(sql: Sql, applicationId: number, g: EvaluationGroupInput, selfId?: number): Promise<EvaluationGroupMember[] | undefined> {
  const groups = await listEvaluationGroups(sql, applicationId);
  const byId = new Map(groups.map((x) => [x.id, x]));
  if (g.parentId !== undefined && g.parentId !== null) {
    if (!byId.has(g.parentId)) throw invalidField('/parentId', Title.unknown, `Evaluation group ${g.parentId} does not exist in this Application`);
    // walking up from the new parent must never reach the group itself
    const seen = new Set<number>();
    for (let p: number | undefined = g.parentId; p !== undefined && !seen.has(p); p = byId.get(p)?.parentId) {
      if (p === selfId) throw invalidField('/parentId', Title.cycle, `Evaluation group ${g.parentId} is this group or one of its descendants`);
      seen.add(p);
    }
  }
  if (g.members === undefined) return undefined;
  const campaigns = new Set((await listCampaigns(sql, applicationId)).map((c) => c.id));
  const seen = new Set<string>();
  return g.members.map((m, i) => {
    const at = `/members/${i}`;
    if ((m.campaignId === undefined) === (m.groupId === undefined)) throw invalidField(at, Title.invalidValue, 'A member names exactly one of campaignId and groupId');
    const key = m.campaignId !== undefined ? `campaign ${m.campaignId}` : `group ${m.groupId}`;
    if (seen.has(key)) throw invalidField(at, Title.duplicate, `${key} is listed twice`);
    seen.add(key);
    if (m.campaignId !== undefined) {
      if (!campaigns.has(m.campaignId)) throw invalidField(`${at}/campaignId`, Title.unknown, `Campaign ${m.campaignId} does not exist in this Application`);
      return { campaignId: m.campaignId };
    }
    if (!byId.has(m.groupId!) || m.groupId === selfId) throw invalidField(`${at}/groupId`, Title.unknown, `Evaluation group ${m.groupId} does not exist in this Application or is the group itself`);
    return { groupId: m.groupId! };
  });
}
