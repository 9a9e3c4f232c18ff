/**
 * Talon.One's operations (talon-one-operations.json, from their OpenAPI document by
 * scripts/extract-talon-operations.mjs) and OpenPromo's own: the summary, description and operationId of
 * every served route in /openapi.json, and the 501 for a Talon.One operation OpenPromo does not serve
 * (docs/api-coverage.md).
 */
import type { RouteOptions } from 'fastify';
import talonFile from './talon-one-operations.json' with { type: 'json' };

interface TalonOperation { operationId: string; method: string; path: string; api: string; summary: string; insteadUse?: string }

const TALON: readonly TalonOperation[] = talonFile.operations;
const TALON_SOURCE = talonFile.source;

/**
 * Operations served that are not in the 25.17 file: Talon.One operations from other versions of its API,
 * and OpenPromo's extensions (`extension: true`). Keyed by method and path (Talon.One's `{param}` form).
 */
const OWN: Readonly<Record<string, { operationId: string; summary: string; description: string; extension?: true }>> = {
  'POST /v1/events': {
    operationId: 'trackEvent', summary: 'Track event',
    description: 'Records a custom event for a customer profile and evaluates the Application\'s campaigns that react to it. Talon.One\'s Integration API operation `trackEvent` (deprecated there in favour of `trackEventV2`, `POST /v2/events`, which OpenPromo serves too; both run the same service).',
  },
  'GET /v1/applications/{}/campaigns/{}/coupons': {
    operationId: 'getCoupons', summary: 'List coupons',
    description: 'Lists the coupons of a campaign, with `totalResultSize`. Talon.One\'s Management API operation `getCoupons` (the counted variant of `getCouponsWithoutTotalCount`).',
  },
  'POST /v1/applications': { operationId: 'createApplication', summary: 'Create Application', description: 'Creates an Application (currency, timezone, settings).', extension: true },
  'PUT /v1/applications/{}': { operationId: 'updateApplication', summary: 'Update Application', description: 'Updates an Application\'s name, settings and defaults.', extension: true },
  'GET /v1/applications/{}/api_keys': { operationId: 'getApplicationAPIKeys', summary: 'List Integration API keys', description: 'Lists the Integration API keys of an Application (never the keys themselves).', extension: true },
  'POST /v1/applications/{}/api_keys': { operationId: 'createApplicationAPIKey', summary: 'Create Integration API key', description: 'Creates an Integration API key for an Application; the key is in the answer only.', extension: true },
  'DELETE /v1/applications/{}/api_keys/{}': { operationId: 'deleteApplicationAPIKey', summary: 'Revoke Integration API key', description: 'Revokes an Integration API key; it stops working at once.', extension: true },
  'POST /v1/applications/{}/campaigns': { operationId: 'createCampaign', summary: 'Create campaign', description: 'Creates a campaign in an Application.', extension: true },
  'POST /v1/applications/{}/campaigns/{}/rulesets': { operationId: 'createRuleset', summary: 'Create ruleset', description: 'Creates a new ruleset for a campaign; the newest ruleset is the active one.', extension: true },
  'GET /v1/applications/{}/campaign_evaluation_groups': { operationId: 'getCampaignEvaluationGroups', summary: 'List evaluation groups', description: 'Lists the campaign evaluation groups of an Application (docs/evaluation-groups.md).', extension: true },
  'POST /v1/applications/{}/campaign_evaluation_groups': { operationId: 'createCampaignEvaluationGroup', summary: 'Create evaluation group', description: 'Creates a campaign evaluation group (docs/evaluation-groups.md).', extension: true },
  'GET /v1/applications/{}/campaign_evaluation_groups/{}': { operationId: 'getCampaignEvaluationGroup', summary: 'Get evaluation group', description: 'Returns one campaign evaluation group.', extension: true },
  'PUT /v1/applications/{}/campaign_evaluation_groups/{}': { operationId: 'updateCampaignEvaluationGroup', summary: 'Update evaluation group', description: 'Updates a campaign evaluation group.', extension: true },
  'DELETE /v1/applications/{}/campaign_evaluation_groups/{}': { operationId: 'deleteCampaignEvaluationGroup', summary: 'Delete evaluation group', description: 'Deletes an evaluation group that no campaign or group uses.', extension: true },
  'GET /v1/custom_effects': { operationId: 'getCustomEffects', summary: 'List custom effects', description: 'Lists the custom effects (docs/custom-effects.md).', extension: true },
  'POST /v1/custom_effects': { operationId: 'createCustomEffect', summary: 'Create custom effect', description: 'Creates a custom effect rules can trigger (docs/custom-effects.md).', extension: true },
  'GET /v1/custom_effects/{}': { operationId: 'getCustomEffect', summary: 'Get custom effect', description: 'Returns one custom effect.', extension: true },
  'PUT /v1/custom_effects/{}': { operationId: 'updateCustomEffect', summary: 'Update custom effect', description: 'Updates a custom effect.', extension: true },
  'DELETE /v1/custom_effects/{}': { operationId: 'deleteCustomEffect', summary: 'Delete custom effect', description: 'Deletes a custom effect no ruleset uses.', extension: true },
  'POST /v1/loyalty_programs': { operationId: 'createLoyaltyProgram', summary: 'Create loyalty program', description: 'Creates an account-level loyalty program (NewLoyaltyProgram) and subscribes Applications to it (docs/loyalty.md).', extension: true },
  'PUT /v1/loyalty_programs/{}': { operationId: 'updateLoyaltyProgram', summary: 'Update loyalty program', description: 'Updates a loyalty program (UpdateLoyaltyProgram); tiers, tier expiration and subledger settings are fixed once it has transactions (docs/loyalty.md).', extension: true },
};

const EXTENSION_NOTE = 'OpenPromo extension: not an operation of Talon.One\'s API.';

/** A path with its parameters blanked (`{}`), Talon.One's `{id}` and Fastify's `:id` alike: the key two spellings of one route share. */
const shapeOf = (path: string) => path.replace(/\{[^}]+\}|:[^/]+/g, '{}');

const TALON_BY_ROUTE = new Map(TALON.map((op) => [`${op.method} ${shapeOf(op.path)}`, op]));


/**
 * The routes' documentation, and the 501 for what is not served. `describe` is an onRoute hook: it fills a
 * route's summary, description and operationId; `unserved` names the Talon.One
 * operation a request that matched no route was meant for, if any.
 */
export function createOperations() {
  // one regex per Talon.One operation, built once: a parameter is one non-empty path segment
  // a literal segment wins over a parameter (`…/customer_activity_reports/no_total` is not a customerId):
  // the patterns with fewer parameters are tried first
  const patterns = TALON.map((op) => ({
    op, method: op.method, params: op.path.split('{').length,
    re: new RegExp(`^${op.path.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`),
  })).sort((a, b) => a.params - b.params);

  function describe(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const method = methods.find((m) => m !== 'HEAD') ?? methods[0];
    const key = `${method} ${shapeOf(route.url)}`;
    const schema: Record<string, unknown> = route.schema ? route.schema as Record<string, unknown> : {};
    route.schema = schema;
    const talon = TALON_BY_ROUTE.get(key);
    const own = OWN[key];
    const summary = talon?.summary ?? own?.summary ?? (typeof schema.operationId === 'string' ? schema.operationId : `${method} ${route.url}`);
    let description: string;
    if (talon) description = `${summary}. Talon.One operation \`${talon.operationId}\` (${TALON_SOURCE}, ${talon.api === 'integration' ? 'Integration' : 'Management'} API).`;
    else if (own) description = own.extension ? `${own.description} ${EXTENSION_NOTE}` : own.description;
    else description = `${summary}. ${EXTENSION_NOTE}`;
    schema.summary ??= summary;
    schema.description ??= description;
    const operationId = talon?.operationId ?? own?.operationId;
    if (operationId) schema.operationId = operationId;
  }

  /** The message of a 501 for a request no route matched, or undefined when it is no Talon.One operation either. */
  function unserved(method: string, path: string): string | undefined {
    const hit = patterns.find((p) => p.method === method && p.re.test(path));
    if (!hit) return undefined;
    const { operationId, insteadUse } = hit.op;
    let message = `${operationId} (${method} ${hit.op.path}) is a Talon.One operation OpenPromo does not serve`;
    if (insteadUse) message += `: use ${insteadUse} instead`;
    return message;
  }

  return { describe, unserved };
}
