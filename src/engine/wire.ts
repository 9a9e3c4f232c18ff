/**
 * Serialisation of engine output to the Integration API JSON (docs/engine.md, "Output"): Decimals become JSON
 * numbers, Dates RFC 3339 strings, null-prototype maps plain objects; optional fields stay omitted.
 */
import { isDec, toNumber } from '../domain/money.js';
import type { Effect, RuleFailureReason } from './types.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonValue(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (isDec(v)) return toNumber(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = jsonValue(x);
    }
    return o;
  }
  switch (typeof v) {
    case 'number': case 'string': case 'boolean': return v;
    // what JSON has no value for is sent as its text
    case 'bigint': case 'symbol': case 'function': return v.toString();
    default: return null;
  }
}

export interface WireEffect {
  campaignId: number;
  rulesetId: number;
  ruleIndex: number;
  ruleName: string;
  effectType: string;
  props: { [k: string]: Json };
  experimentId?: number;
  triggeredByCoupon?: number;
  conditionIndex?: number;
  evaluationGroupID?: number;
  evaluationGroupMode?: string;
}

export function toWire(e: Effect): WireEffect {
  // key order: the response serializer's (the schema's required fields, then the optional ones), so that
  // JSON.stringify of a list of these is the very text it writes (the session update sends its stored
  // text: http/shape.ts integrationStateText; test/http/response-text.test.ts)
  const w: WireEffect = {
    campaignId: e.campaignId, rulesetId: e.rulesetId, ruleIndex: e.ruleIndex, ruleName: e.ruleName,
    effectType: e.effectType, props: jsonValue(e.props) as { [k: string]: Json },
  };
  if (e.experimentId !== undefined) w.experimentId = e.experimentId;
  if (e.triggeredByCoupon !== undefined) w.triggeredByCoupon = e.triggeredByCoupon;
  if (e.conditionIndex !== undefined) w.conditionIndex = e.conditionIndex;
  if (e.evaluationGroupID !== undefined) w.evaluationGroupID = e.evaluationGroupID;
  if (e.evaluationGroupMode !== undefined) w.evaluationGroupMode = e.evaluationGroupMode;
  return w;
}

/** RuleFailureReason has only plain fields; copied without undefined keys. */
export function failureToWire(f: RuleFailureReason): RuleFailureReason {
  return jsonValue(f) as unknown as RuleFailureReason;
}

/** Inverse of toWire for effects stored as JSON (numbers stay numbers; rollback helpers accept both). */
export function fromWire(w: WireEffect): Effect {
  return { ...w, effectType: w.effectType as Effect['effectType'], evaluationGroupMode: w.evaluationGroupMode as Effect['evaluationGroupMode'] };
}
