import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Attributes, DateTime, Int64, MAX, Page, ref } from './common.js';

const storeProps = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: MAX.text }),
  attributes: Type.Optional(Attributes()),
};
const integrationId = Type.String({ minLength: 1, maxLength: 1000 });

export const NewStore = Type.Object({ ...storeProps, integrationId }, { $id: 'NewStore' });
export type NewStore = Static<typeof NewStore>;
/** 25.17's updateStore takes NewStore: integrationId may be sent but must not change. */
export const UpdateStore = Type.Object({ ...storeProps, integrationId: Type.Optional(integrationId) }, { $id: 'UpdateStore' });
export type UpdateStore = Static<typeof UpdateStore>;

const Store = Type.Object({
  id: Int64(), created: DateTime(), ...storeProps, attributes: Type.Optional(AnyObject()), integrationId, applicationId: Int64(), updated: DateTime(),
  linkedCampaignIds: Type.Optional(Type.Array(Int64())),
}, { $id: 'Store' });

const StorePage = Page(ref(Store), 'StorePage');

export const storeSchemas = [NewStore, UpdateStore, Store, StorePage];
