import type { Dialect, Migration } from './db.js';

/**
 * Versioned schema. One list for both dialects: the few differences (id columns, numeric types)
 * are spelled through `t`. Money is stored as exact decimal text in SQLite and NUMERIC in PostgreSQL.
 * Append new migrations; never edit a released one.
 */
export function migrations(dialect: Dialect): Migration[] {
  const t = dialect === 'sqlite'
    ? { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', money: 'TEXT', json: 'TEXT' }
    : { id: 'BIGSERIAL PRIMARY KEY', money: 'NUMERIC', json: 'TEXT' };
  return [
    {
      version: 1,
      name: 'sessions foundation',
      sql: `
CREATE TABLE applications (
  id ${t.id},
  account_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  modified TEXT NOT NULL
);
CREATE TABLE api_keys (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  key_hash TEXT NOT NULL UNIQUE,
  data ${t.json} NOT NULL,
  expires TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL
);
CREATE INDEX api_keys_app ON api_keys(application_id);
CREATE TABLE auth_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT NOT NULL
);
CREATE TABLE additional_costs (
  id ${t.id},
  account_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE attributes (
  id ${t.id},
  account_id BIGINT NOT NULL,
  entity TEXT NOT NULL,
  name TEXT NOT NULL,
  event_type TEXT NOT NULL DEFAULT '',
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (account_id, entity, event_type, name)
);
CREATE TABLE profiles (
  id ${t.id},
  account_id BIGINT NOT NULL,
  integration_id TEXT NOT NULL,
  attributes ${t.json} NOT NULL,
  closed_sessions BIGINT NOT NULL DEFAULT 0,
  total_sales ${t.money} NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  last_activity TEXT NOT NULL,
  UNIQUE (account_id, integration_id)
);
CREATE TABLE sessions (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  integration_id TEXT NOT NULL,
  profile_integration_id TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  content ${t.json} NOT NULL,
  effects ${t.json} NOT NULL,
  cart_item_total ${t.money} NOT NULL,
  additional_cost_total ${t.money} NOT NULL,
  total ${t.money} NOT NULL,
  first_session INTEGER NOT NULL,
  update_count BIGINT NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (application_id, integration_id)
);
CREATE INDEX sessions_profile ON sessions(application_id, profile_integration_id);
CREATE INDEX sessions_created ON sessions(application_id, created);
CREATE TABLE events (
  id ${t.id},
  application_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  profile_integration_id TEXT NOT NULL DEFAULT '',
  session_integration_id TEXT NOT NULL DEFAULT '',
  store_integration_id TEXT,
  attributes ${t.json} NOT NULL,
  effects ${t.json} NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX events_session ON events(application_id, session_integration_id);
CREATE TABLE returns (
  id ${t.id},
  application_id BIGINT NOT NULL,
  session_id BIGINT NOT NULL REFERENCES sessions(id),
  event_id BIGINT NOT NULL,
  data ${t.json} NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX returns_session ON returns(session_id);
CREATE TABLE config_versions (
  scope TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
CREATE TABLE idempotency (
  application_id BIGINT NOT NULL,
  endpoint TEXT NOT NULL,
  key TEXT NOT NULL,
  status INTEGER NOT NULL,
  body ${t.json} NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (application_id, endpoint, key)
);
`,
    },
    {
      // numbered 10 so that migrations appended meanwhile for sessions (2–9) keep their order
      version: 10,
      name: 'campaigns, rulesets, evaluation groups, stores, custom effects',
      sql: `
CREATE TABLE campaigns (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  data ${t.json} NOT NULL,
  state TEXT NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX campaigns_app ON campaigns(application_id, deleted);
CREATE TABLE rulesets (
  id ${t.id},
  application_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  activated_at TEXT
);
CREATE INDEX rulesets_campaign ON rulesets(campaign_id);
CREATE TABLE evaluation_groups (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  data ${t.json} NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE stores (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  integration_id TEXT NOT NULL,
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (application_id, integration_id)
);
CREATE TABLE custom_effects (
  id ${t.id},
  account_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (account_id, name)
);
`,
    },
    {
      version: 20,
      name: 'coupons, reservations, referrals, limit counters, session usage',
      sql: `
CREATE TABLE coupons (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  campaign_id BIGINT NOT NULL,
  value TEXT NOT NULL,
  usage_limit BIGINT NOT NULL,
  usage_counter BIGINT NOT NULL DEFAULT 0,
  discount_limit ${t.money},
  discount_counter ${t.money} NOT NULL DEFAULT 0,
  reservation_limit BIGINT,
  reservation_counter BIGINT NOT NULL DEFAULT 0,
  start_date TEXT,
  expiry_date TEXT,
  recipient_integration_id TEXT,
  attributes ${t.json} NOT NULL DEFAULT '{}',
  limits ${t.json} NOT NULL DEFAULT '[]',
  batch_id TEXT,
  import_id BIGINT,
  referral_id BIGINT,
  is_reservation_mandatory INTEGER NOT NULL DEFAULT 0,
  implicitly_reserved INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  UNIQUE (application_id, value)
);
CREATE INDEX coupons_campaign ON coupons(campaign_id, id);
CREATE INDEX coupons_recipient ON coupons(application_id, recipient_integration_id);
CREATE TABLE coupon_reservations (
  coupon_id BIGINT NOT NULL REFERENCES coupons(id) ON DELETE CASCADE,
  profile_integration_id TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (coupon_id, profile_integration_id)
);
CREATE INDEX coupon_reservations_profile ON coupon_reservations(profile_integration_id);
CREATE TABLE coupon_redemptions (
  coupon_id BIGINT NOT NULL,
  session_id BIGINT NOT NULL,
  profile_integration_id TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (coupon_id, session_id)
);
CREATE INDEX coupon_redemptions_profile ON coupon_redemptions(profile_integration_id, coupon_id);
CREATE TABLE referrals (
  id ${t.id},
  application_id BIGINT NOT NULL REFERENCES applications(id),
  campaign_id BIGINT NOT NULL,
  code TEXT NOT NULL,
  usage_limit BIGINT NOT NULL,
  usage_counter BIGINT NOT NULL DEFAULT 0,
  start_date TEXT,
  expiry_date TEXT,
  advocate_profile_integration_id TEXT NOT NULL,
  friend_profile_integration_id TEXT,
  attributes ${t.json} NOT NULL DEFAULT '{}',
  import_id BIGINT,
  batch_id TEXT,
  created TEXT NOT NULL,
  UNIQUE (application_id, code)
);
CREATE INDEX referrals_campaign ON referrals(campaign_id, id);
CREATE INDEX referrals_advocate ON referrals(application_id, advocate_profile_integration_id);
CREATE TABLE referees (
  id ${t.id},
  application_id BIGINT NOT NULL,
  referral_id BIGINT NOT NULL,
  session_integration_id TEXT NOT NULL,
  advocate_integration_id TEXT NOT NULL,
  friend_integration_id TEXT NOT NULL,
  code TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX referees_friend ON referees(application_id, friend_integration_id);
CREATE TABLE limit_counters (
  campaign_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  bucket TEXT NOT NULL,
  period_start TEXT NOT NULL,
  counter ${t.money} NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, action, bucket, period_start)
);
ALTER TABLE sessions ADD COLUMN consumed ${t.json} NOT NULL DEFAULT '{}';
`,
    },
    {
      version: 21,
      name: 'session effects stored once',
      // a session whose effects are those of its latest event points at the event instead of storing
      // a second copy (effects = '', not JSON); rollbacks still store their own list (repos/sessions.ts)
      sql: `ALTER TABLE sessions ADD COLUMN effects_event_id BIGINT;`,
    },
    {
      version: 22,
      name: 'readiness write probe',
      // one row that /readyz rewrites (at most once a second per process) to prove the store takes writes
      sql: `CREATE TABLE readiness_probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL);`,
    },
    {
      version: 23,
      name: 'loyalty programs, ledgers, point buckets, transactions, cards, tiers',
      // docs/loyalty.md: a ledger row per (program, owner, subledger) keeps running balances valid until
      // next_change_at; each addition is a bucket, each ledger entry an append-only transaction, and each
      // deduction records which buckets it consumed (spends), so balances at a past instant can be rebuilt
      sql: `
CREATE TABLE loyalty_programs (
  id ${t.id},
  account_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  card_based INTEGER NOT NULL DEFAULT 0,
  sandbox INTEGER NOT NULL DEFAULT 0,
  data ${t.json} NOT NULL,
  created TEXT NOT NULL,
  modified TEXT NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE loyalty_program_applications (
  program_id BIGINT NOT NULL REFERENCES loyalty_programs(id),
  application_id BIGINT NOT NULL REFERENCES applications(id),
  PRIMARY KEY (program_id, application_id)
);
CREATE INDEX loyalty_program_applications_app ON loyalty_program_applications(application_id);
CREATE TABLE loyalty_tiers (
  id ${t.id},
  program_id BIGINT NOT NULL REFERENCES loyalty_programs(id),
  name TEXT NOT NULL,
  min_points ${t.money} NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (program_id, name)
);
CREATE TABLE loyalty_cards (
  id ${t.id},
  program_id BIGINT NOT NULL REFERENCES loyalty_programs(id),
  identifier TEXT NOT NULL,
  status TEXT NOT NULL,
  block_reason TEXT,
  users_per_card_limit BIGINT,
  batch_id TEXT,
  import_id BIGINT,
  old_card_identifier TEXT,
  new_card_identifier TEXT,
  created TEXT NOT NULL,
  modified TEXT NOT NULL,
  UNIQUE (program_id, identifier)
);
CREATE INDEX loyalty_cards_batch ON loyalty_cards(program_id, batch_id);
CREATE TABLE loyalty_card_profiles (
  card_id BIGINT NOT NULL REFERENCES loyalty_cards(id),
  integration_id TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (card_id, integration_id)
);
CREATE INDEX loyalty_card_profiles_profile ON loyalty_card_profiles(integration_id);
CREATE TABLE loyalty_ledgers (
  id ${t.id},
  program_id BIGINT NOT NULL REFERENCES loyalty_programs(id),
  owner_kind TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  subledger_id TEXT NOT NULL,
  active ${t.money} NOT NULL DEFAULT 0,
  pending ${t.money} NOT NULL DEFAULT 0,
  spent ${t.money} NOT NULL DEFAULT 0,
  expired ${t.money} NOT NULL DEFAULT 0,
  negative ${t.money} NOT NULL DEFAULT 0,
  settled_at TEXT NOT NULL,
  next_change_at TEXT,
  join_date TEXT,
  tier_id BIGINT,
  tier_start TEXT,
  tier_expiry TEXT,
  created TEXT NOT NULL,
  UNIQUE (program_id, owner_kind, owner_id, subledger_id)
);
CREATE TABLE loyalty_transactions (
  id ${t.id},
  uuid TEXT NOT NULL UNIQUE,
  program_id BIGINT NOT NULL,
  ledger_id BIGINT NOT NULL REFERENCES loyalty_ledgers(id),
  owner_kind TEXT NOT NULL,
  profile_integration_id TEXT NOT NULL DEFAULT '',
  card_id BIGINT,
  subledger_id TEXT NOT NULL,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  amount ${t.money} NOT NULL,
  name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  expiry_date TEXT NOT NULL,
  validity_duration TEXT,
  application_id BIGINT,
  campaign_id BIGINT,
  customer_session_id TEXT,
  event_id BIGINT,
  ruleset_id BIGINT,
  rule_name TEXT,
  import_id BIGINT,
  user_id BIGINT,
  flags ${t.json} NOT NULL DEFAULT '{}',
  archived INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL
);
CREATE INDEX loyalty_transactions_ledger ON loyalty_transactions(ledger_id, id);
CREATE INDEX loyalty_transactions_program ON loyalty_transactions(program_id, id);
CREATE INDEX loyalty_transactions_profile ON loyalty_transactions(program_id, profile_integration_id, id);
CREATE INDEX loyalty_transactions_session ON loyalty_transactions(program_id, customer_session_id);
CREATE TABLE loyalty_points (
  id ${t.id},
  ledger_id BIGINT NOT NULL REFERENCES loyalty_ledgers(id),
  transaction_id BIGINT NOT NULL REFERENCES loyalty_transactions(id),
  amount ${t.money} NOT NULL,
  remaining ${t.money} NOT NULL,
  start_date TEXT,
  expiry_date TEXT,
  validity_duration TEXT,
  state TEXT NOT NULL,
  change_at TEXT,
  created TEXT NOT NULL
);
CREATE INDEX loyalty_points_changes ON loyalty_points(ledger_id, state, change_at);
CREATE TABLE loyalty_spends (
  transaction_id BIGINT NOT NULL REFERENCES loyalty_transactions(id),
  point_id BIGINT NOT NULL REFERENCES loyalty_points(id),
  amount ${t.money} NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (transaction_id, point_id)
);
CREATE INDEX loyalty_spends_point ON loyalty_spends(point_id);
`,
    },
  ];
}
