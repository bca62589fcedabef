// Typed calls into the Rust backend. Every command answers its value or rejects with an AppError.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";
import type {
  AddedCredential,
  ApiTracking,
  AppError,
  AppStatus,
  AuditArea,
  AuditEntry,
  BundleEntry,
  ConnectionCheck,
  ConsentWording,
  ConsoleEvent,
  ConsoleMode,
  Credential,
  DesktopPreferences,
  DryRun,
  ExportProgress,
  GreenbitsCredentialEdit,
  GreenbitsLogin,
  GreenbitsLoginInput,
  ImportProgress,
  ImportSummary,
  Integration,
  IntegrationHealth,
  IntegrationSettings,
  IntegrationStatus,
  LocationChoice,
  LoyaltySettings as LoyaltySettingsValue,
  MappableKey,
  MirrorReport,
  NewGreenbitsCredential,
  Notification,
  NewPosabitCredential,
  OverdrawnPersona,
  PersonaDetail,
  PersonaPage,
  PersonaQuery,
  PointsAdjustment,
  RealPosInput,
  RedemptionCount,
  RejectedRecord,
  RealPosSettings,
  RetailStore,
  Reward,
  RewardInput,
  Setting,
  SettingChange,
  SignupInput,
  SmsRun,
  SmsStatus,
  StoreInput,
  SyncProgress,
  SyncRunRow,
  SyncSummary,
} from "./bindings";

/** True when `value` has the `{code, message, hint?}` shape every backend error has. */
export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything a command rejected with into an AppError the UI can show. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  return {
    code: "internal",
    message: value instanceof Error ? value.message : String(value),
    hint: "Try again; if it keeps failing, restart Canopy.",
  };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    // Commands reject with the backend's plain {code, message, hint} object; callers narrow it with isAppError.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toAppError(error);
  }
}

export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  chooseMode: (mode: ConsoleMode, real: RealPosInput | null) => call<AppStatus>("choose_mode", { mode, real }),
  realPosSettings: () => call<RealPosSettings>("real_pos_settings"),
  desktopPreferences: () => call<DesktopPreferences>("desktop_preferences"),
  supportBundleContents: () => call<BundleEntry[]>("support_bundle_contents"),
  saveSupportBundle: (path: string) => call<BundleEntry[]>("save_support_bundle", { path }),
  pickBundlePath: (defaultPath: string) => save({ defaultPath, filters: [{ name: "Zip", extensions: ["zip"] }] }),
  saveDesktopPreferences: (preferences: DesktopPreferences) =>
    call<DesktopPreferences>("save_desktop_preferences", { preferences }),
  apiTracking: () => call<ApiTracking>("api_tracking"),
  revealApiKey: () => call<string>("reveal_api_key"),
  presenterMode: () => call<boolean>("presenter_mode"),
  loyaltySettings: () => call<LoyaltySettingsValue>("loyalty_settings"),
  saveLoyaltySettings: (input: LoyaltySettingsValue) => call<LoyaltySettingsValue>("save_loyalty_settings", { input }),
  setPresenterMode: (on: boolean) => call<boolean>("set_presenter_mode", { on }),
  listNotifications: () => call<Notification[]>("list_notifications"),
  listCredentials: (integration: Integration) => call<Credential[]>("list_credentials", { integration }),
  addPosabitCredential: (input: NewPosabitCredential) => call<AddedCredential>("add_posabit_credential", { input }),
  addSandboxCredential: (venueId: number, storeName: string) =>
    call<AddedCredential>("add_sandbox_credential", { venueId, storeName }),
  greenbitsLogin: (input: GreenbitsLoginInput) => call<GreenbitsLogin>("greenbits_login", { input }),
  addGreenbitsCredential: (input: NewGreenbitsCredential) =>
    call<AddedCredential>("add_greenbits_credential", { input }),
  /** Sync now; `onProgress` receives each stream's progress after every page. */
  syncIntegration: (integration: Integration, credentialId: string | null, onProgress: (p: SyncProgress) => void) => {
    const channel = new Channel<SyncProgress>();
    channel.onmessage = onProgress;
    return call<SyncSummary[]>("sync_integration", { integration, credentialId, onProgress: channel });
  },
  cancelSync: (integration: Integration | null) => call<number>("cancel_sync", { integration }),
  syncHistory: (limit: number, onlyProblems = false) => call<SyncRunRow[]>("sync_history", { limit, onlyProblems }),
  rejectedRecords: (runId: number) => call<RejectedRecord[]>("rejected_records", { runId }),
  syncHealth: () => call<IntegrationHealth[]>("sync_health"),
  syncInterval: () => call<number>("sync_interval"),
  setSyncInterval: (minutes: number) => call<number>("set_sync_interval", { minutes }),
  /** Calls `handler` for every background event (a sync finished); resolves to the unsubscriber. */
  onConsoleEvent: (handler: (event: ConsoleEvent) => void): Promise<UnlistenFn> =>
    listen<ConsoleEvent>("console-event", (event) => {
      handler(event.payload);
    }),
  listPersonas: (query: PersonaQuery) => call<PersonaPage>("list_personas", { query }),
  getPersona: (id: number) => call<PersonaDetail>("get_persona", { id }),
  splitSourceRecord: (recordId: number) => call<number>("split_source_record", { recordId }),
  signUp: (input: SignupInput) => call<number>("sign_up", { input }),
  /** The locations a Greenbits credential's token reaches now. */
  greenbitsReachableLocations: (credentialId: string) => call<LocationChoice[]>("greenbits_reachable_locations", { credentialId }),
  /** Changes which locations a Greenbits credential syncs, and its medical flag. */
  editGreenbitsCredential: (edit: GreenbitsCredentialEdit) => call<Credential>("edit_greenbits_credential", { edit }),
  /** Logs a Greenbits credential in again with the user's password (sent once, never kept). */
  logInGreenbitsAgain: (credentialId: string, password: string) => call<Credential>("log_in_greenbits_again", { credentialId, password }),
  /** Runs a credential's pre-flight again and says what changed. */
  testConnection: (credentialId: string) => call<ConnectionCheck>("test_connection", { credentialId }),
  /** The consent wording the signup form shows, and its version. */
  signupConsentWording: () => call<ConsentWording>("signup_consent_wording"),
  /** Support's decision on a reply held for review. */
  resolveHeldReply: (personaId: number, isStop: boolean) => call<null>("resolve_held_reply", { personaId, isStop }),
  /** Writes the personas of `query` (its search, filters and sort) as CSV to `path`. */
  exportPersonas: (query: PersonaQuery, path: string, onProgress: (p: ExportProgress) => void) => {
    const channel = new Channel<ExportProgress>();
    channel.onmessage = onProgress;
    return call<number>("export_personas", { query, path, onProgress: channel });
  },
  importPersonas: (path: string, onProgress: (p: ImportProgress) => void) => {
    const channel = new Channel<ImportProgress>();
    channel.onmessage = onProgress;
    return call<ImportSummary>("import_personas", { path, onProgress: channel });
  },
  /** Asks which CSV file to open; `null` when the user cancels. */
  pickOpenPath: () => open({ multiple: false, directory: false, filters: [{ name: "CSV", extensions: ["csv"] }] }),
  /** Asks where to save a file; `null` when the user cancels. */
  pickSavePath: (defaultPath: string) => save({ defaultPath, filters: [{ name: "CSV", extensions: ["csv"] }] }),
  removeCredential: (id: string) => call<null>("remove_credential", { id }),
  editPosabitCredential: (id: string, storeName: string, market: string | null) =>
    call<Credential>("edit_posabit_credential", { id, storeName, market }),
  rotatePosabitKey: (id: string, key: string) => call<AddedCredential>("rotate_posabit_key", { id, key }),
  integrationStatus: (integration: Integration) => call<IntegrationStatus>("integration_status", { integration }),
  setAgeGate: (integration: Integration, attested: boolean) =>
    call<IntegrationStatus>("set_age_gate", { integration, attested }),
  connect: (integration: Integration) => call<IntegrationStatus>("connect_integration", { integration }),
  disconnect: (integration: Integration) => call<IntegrationStatus>("disconnect_integration", { integration }),
  integrationSettings: (integration: Integration) => call<IntegrationSettings>("integration_settings", { integration }),
  changeSetting: (integration: Integration, change: SettingChange) =>
    call<IntegrationSettings>("change_setting", { integration, change }),
  auditLog: (integration: Integration | null, area: AuditArea | null) =>
    call<AuditEntry[]>("audit_log", { integration, area }),
  exportAuditLog: (path: string) => call<number>("export_audit_log", { path }),
  dryRunSetting: (integration: Integration, setting: Setting, date: string) =>
    call<DryRun>("dry_run_setting", { integration, setting, date }),
  smsOnlyMembers: (integration: Integration) => call<number>("sms_only_members", { integration }),
  smsStatus: (integration: Integration) => call<SmsStatus>("sms_status", { integration }),
  sendSmsOptInsNow: () => call<SmsRun>("send_sms_opt_ins_now"),
  listStores: () => call<RetailStore[]>("list_stores"),
  listStoreTimezones: () => call<string[]>("list_store_timezones"),
  createStore: (input: StoreInput) => call<RetailStore>("create_store", { input }),
  updateStore: (id: number, input: StoreInput) => call<RetailStore>("update_store", { id, input }),
  deleteStore: (id: number) => call<null>("delete_store", { id }),
  listMappableKeys: () => call<MappableKey[]>("list_mappable_keys"),
  saveStoreMapping: (storeId: number, integration: Integration, keyId: string | null) =>
    call<null>("save_store_mapping", { storeId, integration, keyId }),
  listRewards: () => call<Reward[]>("list_rewards"),
  /** Creates a reward (`id` null) or changes one. */
  saveReward: (id: number | null, input: RewardInput) => call<Reward>("save_reward", { id, input }),
  retireReward: (id: number) => call<Reward>("retire_reward", { id }),
  /** Every active reward against each connected POS's discount list, and the cards' counts. */
  checkRewardMirrors: () => call<MirrorReport>("check_reward_mirrors"),
  /** Redemptions per reward and store between two days (inclusive). */
  redemptionCounts: (from: string, to: string) => call<RedemptionCount[]>("redemption_counts", { from, to }),
  overdrawnPersonas: () => call<OverdrawnPersona[]>("overdrawn_personas"),
  /** Adjusts a persona's points by hand, with a reason; answers the new balance. */
  adjustPoints: (adjustment: PointsAdjustment) => call<number>("adjust_points", { adjustment }),
};
