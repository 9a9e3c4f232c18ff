import { campaignSchemas } from './campaign.js';
import { commonSchemas } from './common.js';
import { couponSchemas } from './coupons.js';
import { customEffectSchemas } from './customEffects.js';
import { customerSchemas } from './customers.js';
import { definitionSchemas } from './definitions.js';
import { evaluationGroupSchemas } from './evaluationGroups.js';
import { loyaltySchemas } from './loyalty.js';
import { loyaltyCardSchemas } from './loyaltyCards.js';
import { loyaltyOpsSchemas } from './loyaltyOps.js';
import { managementSchemas } from './management.js';
import { profileSchemas } from './profiles.js';
import { referralSchemas } from './referrals.js';
import { sessionSchemas } from './session.js';
import { storeSchemas } from './stores.js';

/** Every named schema, registered once with Fastify (validation, serialization, OpenAPI). */
export const allSchemas = [...commonSchemas, ...sessionSchemas, ...managementSchemas, ...campaignSchemas, ...definitionSchemas, ...customerSchemas, ...profileSchemas, ...referralSchemas,
  ...storeSchemas, ...evaluationGroupSchemas, ...customEffectSchemas, ...couponSchemas, ...loyaltySchemas, ...loyaltyCardSchemas, ...loyaltyOpsSchemas];
