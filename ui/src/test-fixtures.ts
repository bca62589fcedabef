// Values shared by the UI's unit tests.
import type { AppStatus, Credential, IntegrationSettings, LoyaltySettings, RetailStore } from "./bindings";

/** An integration's settings with everything off. */
export const SETTINGS_OFF: IntegrationSettings = {
  sync_personas_since: null,
  frozen_since: null,
  patient_lists_optional: false,
  sync_to_relevant_market: false,
  enroll_after: null,
  sms_opt_in_after: null,
  points_imported_on: null,
  points_import_done_at: null,
  mirror_points: false,
};

/** A retail store in Washington. */
export const CAPITOL_HILL: RetailStore = {
  id: 3,
  name: "Capitol Hill",
  store_number: "12",
  state: "WA",
  timezone: "America/Los_Angeles",
  address: null,
  license: null,
};

/** The app's status on the sandbox, its keychain working. */
export const SANDBOX_STATUS: AppStatus = {
  mode: "sandbox",
  mode_set_by_environment: false,
  sandbox: true,
  posabit_url: "http://127.0.0.1:4100/api/v1",
  keychain_error: null,
  data_dir: "/tmp/canopy",
  sandbox_stores: [],
};

/** A verified credential with every permission granted; `change` overrides any field. */
export function credentialFixture(change: Partial<Credential> = {}): Credential {
  return {
    id: "c1",
    integration: "posabit",
    store_name: "Capitol Hill",
    market: "WA",
    venue_name: "Greenleaf Capitol Hill",
    venue_state: "WA",
    permissions: [],
    created_at: "2026-01-01T00:00:00Z",
    verified_at: "2026-01-01T00:00:00Z",
    username: null,
    associated_email: null,
    locations: [],
    medical_patients: false,
    ...change,
  };
}

/** The loyalty programme's defaults: a point per dollar, points that never expire. */
export const LOYALTY_DEFAULTS: LoyaltySettings = {
  points_per_dollar: 1,
  accrual_start: null,
  expiration: "never",
  expiration_days: 365,
  sms_max_requests: 2,
};
