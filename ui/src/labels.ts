// How the screens word the backend's closed sets. Each map is keyed by the generated union, so a
// variant added in Rust fails the type-check here until it has its words.

import type {
  AuditArea,
  ConsentChannel,
  ConsentEventKind,
  ConsentSource,
  ConsoleMode,
  ErrorCode,
  Integration,
  LedgerKind,
  MirrorState,
  PersonaSource,
  RewardKind,
  SmsConsent,
  Stream,
  SyncState,
  Trigger,
} from "./bindings";

/** A POS's name as the seeds write it. */
export const POS_NAMES: Record<Integration, string> = { posabit: "POSaBIT", greenbits: "Greenbits" };

/** Where the data comes from, as the header's badge names it. */
export const CONSOLE_MODE_LABELS: Record<ConsoleMode, string> = { sandbox: "Sandbox", real: "Your POS" };

/** A stream as the history and the progress bars name it. */
export const STREAM_LABELS: Record<Stream, string> = {
  customers: "customers",
  patients: "patients",
  sales: "sales",
  coupons: "coupons",
};

/** What started a sync. */
export const TRIGGER_LABELS: Record<Trigger, string> = { manual: "manual", schedule: "schedule" };

/** What a progress bar adds after its count, by the stream's state. */
export const SYNC_STATE_SUFFIXES: Record<SyncState, string> = {
  running: "",
  finished: "",
  failed: " · stopped",
  cancelled: " · cancelled",
};

/** A run's error code in words, for the history's result chip. */
export const ERROR_CODE_LABELS: Record<ErrorCode, string> = {
  validation: "not accepted",
  keychain_unavailable: "keychain unavailable",
  pos_auth_failed: "POS auth failed",
  pos_permission_missing: "permission missing",
  pos_unreachable: "POS unreachable",
  rate_limited: "rate limited",
  conflict: "conflict",
  not_found: "not found",
  cancelled: "cancelled",
  disk_full: "disk full",
  internal: "internal error",
};

/** A persona's SMS consent, as the table and the detail word it. */
export const SMS_CONSENT_LABELS: Record<SmsConsent, string> = {
  none: "Not asked",
  requested: "Requested",
  opted_in: "Opted in",
  opted_out: "Opted out",
};

/** The systems a persona can be sourced from, in lower case as the seeds print them. */
export const PERSONA_SOURCE_LABELS: Record<PersonaSource, string> = {
  posabit: "posabit",
  greenbits: "greenbits",
  loyalty: "loyalty",
  import: "import",
};

/** A consent event's channel. */
export const CONSENT_CHANNEL_LABELS: Record<ConsentChannel, string> = { sms: "SMS", email: "Email" };

/** What a consent event did. */
export const CONSENT_EVENT_LABELS: Record<ConsentEventKind, string> = {
  requested: "opt-in requested",
  confirmed: "opt-in confirmed",
  opted_in: "opted in",
  opted_out: "opted out",
  resubscribed: "rejoined by the shopper's own act",
  held: "held for review (the reply may mean stop)",
  ignored: "reply or consent not applied",
};

/** Who or what moved a persona's consent, in words. */
export const CONSENT_SOURCE_LABELS: Record<ConsentSource, string> = {
  signup: "the signup form",
  sms_reply: "the shopper's text reply",
  import: "a file import",
  split: "splitting a merged persona",
  suppression: "an earlier opt-out of this phone or e-mail",
  review: "support's review of a held reply",
  posabit: "POSaBIT, at the POS",
  greenbits: "Greenbits, at the POS",
  "sms_opt_in:posabit": "the POSaBIT SMS double opt-in setting",
  "sms_opt_in:greenbits": "the Greenbits SMS double opt-in setting",
};

/** What moved a persona's points. */
export const LEDGER_KIND_LABELS: Record<LedgerKind, string> = {
  earn: "earned",
  redeem: "redeemed",
  adjust: "adjusted",
  import: "imported from the POS",
  mirror: "mirrored from the POS",
  expire: "expired",
};

/** Whether `value` is a member of the closed set `labels` words. */
export function isMember<T extends string>(labels: Record<T, string>, value: string): value is T {
  return Object.prototype.hasOwnProperty.call(labels, value);
}

/** The members of a closed set, in the order its label map lists them. */
export function membersOf<T extends string>(labels: Record<T, string>): T[] {
  return Object.keys(labels).filter((key): key is T => isMember(labels, key));
}

/** The audit log's areas. */
export const AUDIT_AREA_LABELS: Record<AuditArea, string> = {
  card_setting: "Card setting",
  credential: "Credential",
  connection: "Connect / Disconnect",
  age_gate: "Age gate",
  retail_store: "Retail store",
  store_mapping: "Store mapping",
  loyalty_settings: "Loyalty settings",
  rewards: "Reward",
  points_adjustment: "Points adjusted by hand",
};

/** What a reward gives, as the reward form offers it. */
export const REWARD_KIND_LABELS: Record<RewardKind, string> = {
  amount_off: "$ off",
  percent_off: "% off",
  free_item: "A free item",
};

/** How a reward stands in one POS store. */
export const MIRROR_STATE_LABELS: Record<MirrorState, string> = {
  mirrored: "Mirrored",
  missing: "Missing in POS",
  name_differs: "Name differs only in case or spacing",
  inactive: "Inactive in the POS",
  value_differs: "Value differs",
};

/** The steps on the POS side, in the seeds' words. */
export const MIRROR_STEPS: Record<Integration, string> = {
  posabit:
    "POSaBIT can redeem discounts within the checkout process without having to rely on our Budtender view. Please make sure that all discounts/rewards are created in Canopy first and then mirrored accordingly in POSaBIT: 1. Create the discount in Canopy. 2. Mirror the discount in POSaBIT ensuring you use the same name (POSaBIT's guides “How to Create and Link Promotions” and “How to Create and Link Rewards” walk through it).",
  greenbits: "All discounts will need to be mirrored from Canopy and then also in Greenbits, with the same name.",
};
