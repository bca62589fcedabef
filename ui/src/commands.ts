// Generated from the Tauri commands by `cargo run -p canopy-cli -- bindings`. Do not edit.
import type { Channel } from "@tauri-apps/api/core";
import type { AddedCredential, ApiTracking, AppStatus, AuditArea, AuditEntry, BundleEntry, ConnectionCheck, ConsentWording, ConsoleMode, Credential, DesktopPreferences, DryRun, ExportProgress, GreenbitsCredentialEdit, GreenbitsLogin, GreenbitsLoginInput, ImportProgress, ImportSummary, Integration, IntegrationHealth, IntegrationSettings, IntegrationStatus, LocationChoice, LoyaltySettings, MappableKey, MirrorReport, NewGreenbitsCredential, NewPosabitCredential, Notification, OverdrawnPersona, PersonaDetail, PersonaPage, PersonaQuery, PointsAdjustment, RealPosInput, RealPosSettings, RedemptionCount, RejectedRecord, RetailStore, Reward, RewardInput, Setting, SettingChange, SignupInput, SmsRun, SmsStatus, StoreInput, SyncProgress, SyncRunRow, SyncSummary } from "./bindings";
import { call } from "./ipc";

/** Every backend command, named, argued and answered as its Rust function is. */
export const commands = {
  /** Sandbox or real POS, keychain health and the data directory. */
  appStatus: () => call<AppStatus>("app_status"),
  /** Puts Canopy in `mode` (saving real mode's settings first when given) and opens that mode's database; answers the new status. When the new mode cannot open, the previous choice is put back and reopened, and the error says why. The UI reloads afterwards. */
  chooseMode: (mode: ConsoleMode, real: RealPosInput | null) => call<AppStatus>("choose_mode", { mode, real }),
  /** The desktop preferences. */
  desktopPreferences: () => call<DesktopPreferences>("desktop_preferences"),
  /** Keeps the desktop preferences and applies *start at login* to the desktop's autostart. */
  saveDesktopPreferences: (preferences: DesktopPreferences) => call<DesktopPreferences>("save_desktop_preferences", { preferences }),
  /** The files a support bundle would hold now, for the user to see before saving. */
  supportBundleContents: () => call<BundleEntry[]>("support_bundle_contents"),
  /** Gathers the support bundle and saves it as a zip at `path`; answers what it holds. */
  saveSupportBundle: (path: string) => call<BundleEntry[]>("save_support_bundle", { path }),
  /** Real mode's addresses, and whether its tokens are kept (never the tokens). */
  realPosSettings: () => call<RealPosSettings>("real_pos_settings"),
  /** The notifications bell: everything the user should act on, newest first. */
  listNotifications: () => call<Notification[]>("list_notifications"),
  /** Settings → API & Tracking: Canopy's UID and each store's ID number (no secret). */
  apiTracking: () => call<ApiTracking>("api_tracking"),
  /** Reveals Canopy's own API key: the one secret the UI may show, because the user must type it into the POS. Only on this explicit request, never in any other answer. */
  revealApiKey: () => call<string>("reveal_api_key"),
  /** Whether presenter mode (contact details and secrets masked on screen) is on. */
  presenterMode: () => call<boolean>("presenter_mode"),
  /** Turns presenter mode on or off; it is remembered between starts, and every window is told. */
  setPresenterMode: (on: boolean) => call<boolean>("set_presenter_mode", { on }),
  /** Writes a UI failure (an error boundary caught a render error) to the app log: the error's message and the component stack, which name code, never a shopper's data. */
  logUiError: (message: string, componentStack: string) => call<null>("log_ui_error", { message, componentStack }),
  /** Settings → Loyalty. */
  loyaltySettings: () => call<LoyaltySettings>("loyalty_settings"),
  /** Saves Settings → Loyalty. */
  saveLoyaltySettings: (input: LoyaltySettings) => call<LoyaltySettings>("save_loyalty_settings", { input }),
  /** The credentials of one integration. */
  listCredentials: (integration: Integration) => call<Credential[]>("list_credentials", { integration }),
  /** Verifies a POSaBIT key and stores it (key in the keychain only). */
  addPosabitCredential: (input: NewPosabitCredential) => call<AddedCredential>("add_posabit_credential", { input }),
  /** Adds a built-in sandbox store as a POSaBIT credential; its key stays in the backend. */
  addSandboxCredential: (venueId: number, storeName: string) => call<AddedCredential>("add_sandbox_credential", { venueId, storeName }),
  /** Greenbits step 1: logs in; answers the pre-flight and the locations (the token stays here). */
  greenbitsLogin: (input: GreenbitsLoginInput) => call<GreenbitsLogin>("greenbits_login", { input }),
  /** Greenbits step 2: stores the credential with the picked locations. */
  addGreenbitsCredential: (input: NewGreenbitsCredential) => call<AddedCredential>("add_greenbits_credential", { input }),
  /** Sync now: every credential of the integration (or one), progress streamed to `on_progress`. */
  syncIntegration: (integration: Integration, credentialId: string | null, onProgress: Channel<SyncProgress>) => call<SyncSummary[]>("sync_integration", { integration, credentialId, onProgress }),
  /** Asks the running syncs of an integration (all, without one) to stop at the next page. */
  cancelSync: (integration: Integration | null) => call<number>("cancel_sync", { integration }),
  /** Makes the next sync of an integration read its lists whole rather than only their changed tails; returns how many lists will be. */
  readWholeListsNextSync: (integration: Integration) => call<number>("read_whole_lists_next_sync", { integration }),
  /** The most requests a second Canopy sends one credential of an integration. */
  paceCeiling: (integration: Integration) => call<number>("pace_ceiling", { integration }),
  /** Sets the most requests a second Canopy sends one credential of an integration (1–100). */
  setPaceCeiling: (integration: Integration, perSecond: number) => call<number>("set_pace_ceiling", { integration, perSecond }),
  /** The most recent sync runs, newest first; only those with a problem when `only_problems`. */
  syncHistory: (limit: number, onlyProblems: boolean | null) => call<SyncRunRow[]>("sync_history", { limit, onlyProblems }),
  /** The records a run skipped, and why. */
  rejectedRecords: (runId: number) => call<RejectedRecord[]>("rejected_records", { runId }),
  /** Each integration's health per store. */
  syncHealth: () => call<IntegrationHealth[]>("sync_health"),
  /** Minutes between scheduled syncs (0: off). */
  syncInterval: () => call<number>("sync_interval"),
  /** Sets the minutes between scheduled syncs (0: off). */
  setSyncInterval: (minutes: number) => call<number>("set_sync_interval", { minutes }),
  /** Removes a credential; its key leaves the keychain, its data stays. */
  removeCredential: (id: string) => call<null>("remove_credential", { id }),
  /** Replaces a POSaBIT credential's key with a new one for the same venue. */
  rotatePosabitKey: (id: string, key: string) => call<AddedCredential>("rotate_posabit_key", { id, key }),
  /** Test connection: a credential's pre-flight run again, with what changed since the last check. */
  testConnection: (credentialId: string) => call<ConnectionCheck>("test_connection", { credentialId }),
  /** Changes which locations a Greenbits credential syncs and whether it serves medical patients. */
  editGreenbitsCredential: (edit: GreenbitsCredentialEdit) => call<Credential>("edit_greenbits_credential", { edit }),
  /** The locations a Greenbits credential's token reaches now. */
  greenbitsReachableLocations: (credentialId: string) => call<LocationChoice[]>("greenbits_reachable_locations", { credentialId }),
  /** Logs a Greenbits credential in again with the user's password (used once, never kept). */
  logInGreenbitsAgain: (credentialId: string, password: string) => call<Credential>("log_in_greenbits_again", { credentialId, password }),
  /** Renames a POSaBIT credential or changes its Relevant market. */
  editPosabitCredential: (id: string, storeName: string, market: string | null) => call<Credential>("edit_posabit_credential", { id, storeName, market }),
  /** The integration's state and minimum-settings checklist. */
  integrationStatus: (integration: Integration) => call<IntegrationStatus>("integration_status", { integration }),
  /** Ticks or unticks the Loyalty section's age-gate attestation. */
  setAgeGate: (integration: Integration, attested: boolean) => call<IntegrationStatus>("set_age_gate", { integration, attested }),
  /** Connect: refused, with what is missing, until the minimum settings hold. */
  connectIntegration: (integration: Integration) => call<IntegrationStatus>("connect_integration", { integration }),
  /** Disconnect: syncs stop, data stays. */
  disconnectIntegration: (integration: Integration) => call<IntegrationStatus>("disconnect_integration", { integration }),
  /** An integration's additional settings. */
  integrationSettings: (integration: Integration) => call<IntegrationSettings>("integration_settings", { integration }),
  /** Changes one additional setting (audited; guarded ones need the warning acknowledged). */
  changeSetting: (integration: Integration, change: SettingChange) => call<IntegrationSettings>("change_setting", { integration, change }),
  /** The audit log, newest first, of one integration and one area when given (read-only: nothing edits it). */
  auditLog: (integration: Integration | null, area: AuditArea | null) => call<AuditEntry[]>("audit_log", { integration, area }),
  /** Writes the whole audit log as CSV at `path`; answers how many entries. */
  exportAuditLog: (path: string) => call<number>("export_audit_log", { path }),
  /** Who a date setting would reach if saved with `date`, per store (the dry run before saving). */
  dryRunSetting: (integration: Integration, setting: Setting, date: string) => call<DryRun>("dry_run_setting", { integration, setting, date }),
  /** How many loyalty members removing the SMS opt-in setting would lose. */
  smsOnlyMembers: (integration: Integration) => call<number>("sms_only_members", { integration }),
  /** Where the integration's SMS opt-in requests stand. */
  smsStatus: (integration: Integration) => call<SmsStatus>("sms_status", { integration }),
  /** Runs the SMS double opt-in job now (it also runs every five minutes): replies, then requests. */
  sendSmsOptInsNow: () => call<SmsRun>("send_sms_opt_ins_now"),
  /** Every retail store. */
  listStores: () => call<RetailStore[]>("list_stores"),
  /** The time zones the store form offers (the ones `create_store` accepts). */
  listStoreTimezones: () => call<string[]>("list_store_timezones"),
  /** Creates a retail store. */
  createStore: (input: StoreInput) => call<RetailStore>("create_store", { input }),
  /** Changes a retail store. */
  updateStore: (id: number, input: StoreInput) => call<RetailStore>("update_store", { id, input }),
  /** Deletes a retail store. */
  deleteStore: (id: number) => call<null>("delete_store", { id }),
  /** Every mappable key, its mapping and its suggested store. */
  listMappableKeys: () => call<MappableKey[]>("list_mappable_keys"),
  /** Saves which key of `integration` sells for the store (none clears it). */
  saveStoreMapping: (storeId: number, integration: Integration, keyId: string | null) => call<null>("save_store_mapping", { storeId, integration, keyId }),
  /** A page of personas matching the query. */
  listPersonas: (query: PersonaQuery) => call<PersonaPage>("list_personas", { query }),
  /** One persona in full. */
  getPersona: (id: number) => call<PersonaDetail>("get_persona", { id }),
  /** Splits a wrongly merged source record into its own persona. */
  splitSourceRecord: (recordId: number) => call<number>("split_source_record", { recordId }),
  /** The local signup form: creates or merges a `loyalty`-sourced persona. */
  signUp: (input: SignupInput) => call<number>("sign_up", { input }),
  /** The consent wording the signup form shows, with its version. */
  signupConsentWording: () => call<ConsentWording>("signup_consent_wording"),
  /** Support's decision on a reply held for review: `is_stop` opts the phone out, else the hold ends. */
  resolveHeldReply: (personaId: number, isStop: boolean) => call<null>("resolve_held_reply", { personaId, isStop }),
  /** Exports the personas of the current search and filters as CSV to `path` (picked by the user), with progress on `on_progress`; returns the rows written. */
  exportPersonas: (query: PersonaQuery, path: string, onProgress: Channel<ExportProgress>) => call<number>("export_personas", { query, path, onProgress }),
  /** Imports personas from the CSV file at `path` (picked by the user), with progress on `on_progress`; answers what was created, merged and skipped. */
  importPersonas: (path: string, onProgress: Channel<ImportProgress>) => call<ImportSummary>("import_personas", { path, onProgress }),
  /** Every reward, live ones first. */
  listRewards: () => call<Reward[]>("list_rewards"),
  /** Creates a reward (`id` null) or changes one. */
  saveReward: (id: number | null, input: RewardInput) => call<Reward>("save_reward", { id, input }),
  /** Retires a reward, keeping its history. */
  retireReward: (id: number) => call<Reward>("retire_reward", { id }),
  /** Checks every active reward against each connected POS's discount list. */
  checkRewardMirrors: () => call<MirrorReport>("check_reward_mirrors"),
  /** Redemptions per reward and store between two days (`YYYY-MM-DD`, inclusive). */
  redemptionCounts: (from: string, to: string) => call<RedemptionCount[]>("redemption_counts", { from, to }),
  /** Shoppers whose redemptions took them below zero points. */
  overdrawnPersonas: () => call<OverdrawnPersona[]>("overdrawn_personas"),
  /** Adjusts a persona's points by hand with a reason; returns the new balance. */
  adjustPoints: (adjustment: PointsAdjustment) => call<number>("adjust_points", { adjustment }),
};
