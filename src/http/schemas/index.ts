import { campaignSchemas } from './campaign.js';
import { commonSchemas } from './common.js';
import { managementSchemas } from './management.js';
import { sessionSchemas } from './session.js';

/** Every named schema, registered once with Fastify (validation, serialization, OpenAPI). */
export const allSchemas = [...commonSchemas, ...sessionSchemas, ...managementSchemas, ...campaignSchemas];
