/** Campaign evaluation groups: 25.17 has the schemas but no endpoints; ours are an extension (docs/evaluation-groups.md). */
import { Type, type Static } from '@sinclair/typebox';
import { Int64, MAX, Nullable, Page, ref, StringEnum } from './common.js';

const MODES = ['stackable', 'listOrder', 'lowestDiscount', 'highestDiscount'] as const;
const SCOPES = ['cartItem', 'session'] as const;

const CampaignEvaluationGroupMember = Type.Object({
  campaignId: Type.Optional(Int64({ minimum: 1 })), groupId: Type.Optional(Int64({ minimum: 1 })),
}, { $id: 'CampaignEvaluationGroupMember', description: 'OpenPromo extension: one campaign or sub-group, by id (exactly one of the two).' });

const groupProps = {
  name: Type.String({ minLength: 1, maxLength: MAX.name }),
  parentId: Type.Optional(Nullable(Int64({ minimum: 1, description: 'Absent or null: a child of the Application root (OpenPromo has no root group object).' }))),
  description: Type.Optional(Type.String({ maxLength: MAX.text })),
  evaluationMode: StringEnum(MODES),
  evaluationScope: Type.Optional(StringEnum(SCOPES, { default: 'session' })),
  locked: Type.Optional(Type.Boolean({ default: false })),
  members: Type.Optional(Type.Array(ref(CampaignEvaluationGroupMember), {
    maxItems: MAX.ids,
    description: 'OpenPromo extension: evaluation order of the group\'s campaigns and sub-groups. Members not listed follow, campaigns by id then groups by id; entries that are not members are ignored.',
  })),
};

export const NewCampaignEvaluationGroup = Type.Object(groupProps, { $id: 'NewCampaignEvaluationGroup' });
export type NewCampaignEvaluationGroup = Static<typeof NewCampaignEvaluationGroup>;
export const UpdateCampaignEvaluationGroup = Type.Object(groupProps, { $id: 'UpdateCampaignEvaluationGroup' });
export type UpdateCampaignEvaluationGroup = Static<typeof UpdateCampaignEvaluationGroup>;

const CampaignEvaluationGroup = Type.Object({
  applicationId: Int64(), ...groupProps, parentId: Type.Optional(Int64({ minimum: 1 })),
  evaluationScope: StringEnum(SCOPES), locked: Type.Boolean(), id: Int64(),
}, { $id: 'CampaignEvaluationGroup' });

const CampaignEvaluationGroupPage = Page(ref(CampaignEvaluationGroup), 'CampaignEvaluationGroupPage');

export const evaluationGroupSchemas = [CampaignEvaluationGroupMember, NewCampaignEvaluationGroup, UpdateCampaignEvaluationGroup, CampaignEvaluationGroup, CampaignEvaluationGroupPage];
