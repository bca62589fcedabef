// Values shared by the UI's unit tests.
import type { IntegrationSettings } from "./bindings";

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
