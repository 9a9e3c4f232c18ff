/**
 * The Effect envelope as it travels through services and storage (docs/engine.md). Money props are
 * kept as JSON numbers produced from exact decimals by the engine; this layer never does arithmetic
 * on them.
 */
export interface Effect {
  campaignId: number;
  rulesetId: number;
  ruleIndex: number;
  ruleName: string;
  effectType: string;
  props: Record<string, unknown>;
  triggeredByCoupon?: number;
  triggeredForCatalogItem?: number;
  conditionIndex?: number;
  evaluationGroupID?: number;
  evaluationGroupMode?: string;
  experimentId?: number;
}
