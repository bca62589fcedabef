// The UI's calls into the Rust backend: the generated command surface (commands.ts, typed from each
// Rust command's signature) under the names the screens use, the progress channels wrapped as
// callbacks, the backend's events and the native dialogs. Every command rejects with an AppError.
import { Channel } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";
import type { ConsoleEvent, ExportProgress, ImportProgress, Integration, PersonaQuery, SyncProgress } from "./bindings";
import { commands } from "./commands";

export { isAppError, toAppError } from "./ipc";

export const api = {
  appStatus: commands.appStatus,
  chooseMode: commands.chooseMode,
  realPosSettings: commands.realPosSettings,
  desktopPreferences: commands.desktopPreferences,
  supportBundleContents: commands.supportBundleContents,
  saveSupportBundle: commands.saveSupportBundle,
  pickBundlePath: (defaultPath: string) => save({ defaultPath, filters: [{ name: "Zip", extensions: ["zip"] }] }),
  saveDesktopPreferences: commands.saveDesktopPreferences,
  apiTracking: commands.apiTracking,
  revealApiKey: commands.revealApiKey,
  presenterMode: commands.presenterMode,
  loyaltySettings: commands.loyaltySettings,
  saveLoyaltySettings: commands.saveLoyaltySettings,
  setPresenterMode: commands.setPresenterMode,
  listNotifications: commands.listNotifications,
  listCredentials: commands.listCredentials,
  addPosabitCredential: commands.addPosabitCredential,
  addSandboxCredential: commands.addSandboxCredential,
  greenbitsLogin: commands.greenbitsLogin,
  addGreenbitsCredential: commands.addGreenbitsCredential,
  /** Sync now; `onProgress` receives each stream's progress after every page. */
  syncIntegration: (integration: Integration, credentialId: string | null, onProgress: (p: SyncProgress) => void) => {
    const channel = new Channel<SyncProgress>();
    channel.onmessage = onProgress;
    return commands.syncIntegration(integration, credentialId, channel);
  },
  cancelSync: commands.cancelSync,
  readWholeListsNextSync: commands.readWholeListsNextSync,
  paceCeiling: commands.paceCeiling,
  setPaceCeiling: commands.setPaceCeiling,
  syncHistory: (limit: number, onlyProblems = false) => commands.syncHistory(limit, onlyProblems),
  rejectedRecords: commands.rejectedRecords,
  syncHealth: commands.syncHealth,
  syncInterval: commands.syncInterval,
  setSyncInterval: commands.setSyncInterval,
  /** Calls `handler` for every background event (a sync finished); resolves to the unsubscriber. */
  onConsoleEvent: (handler: (event: ConsoleEvent) => void): Promise<UnlistenFn> =>
    listen<ConsoleEvent>("console-event", (event) => {
      handler(event.payload);
    }),
  listPersonas: commands.listPersonas,
  getPersona: commands.getPersona,
  splitSourceRecord: commands.splitSourceRecord,
  signUp: commands.signUp,
  /** The locations a Greenbits credential's token reaches now. */
  greenbitsReachableLocations: commands.greenbitsReachableLocations,
  /** Changes which locations a Greenbits credential syncs, and its medical flag. */
  editGreenbitsCredential: commands.editGreenbitsCredential,
  /** Logs a Greenbits credential in again with the user's password (sent once, never kept). */
  logInGreenbitsAgain: commands.logInGreenbitsAgain,
  /** Runs a credential's pre-flight again and says what changed. */
  testConnection: commands.testConnection,
  /** The consent wording the signup form shows, and its version. */
  signupConsentWording: commands.signupConsentWording,
  /** Support's decision on a reply held for review. */
  resolveHeldReply: commands.resolveHeldReply,
  /** Writes the personas of `query` (its search, filters and sort) as CSV to `path`. */
  exportPersonas: (query: PersonaQuery, path: string, onProgress: (p: ExportProgress) => void) => {
    const channel = new Channel<ExportProgress>();
    channel.onmessage = onProgress;
    return commands.exportPersonas(query, path, channel);
  },
  importPersonas: (path: string, onProgress: (p: ImportProgress) => void) => {
    const channel = new Channel<ImportProgress>();
    channel.onmessage = onProgress;
    return commands.importPersonas(path, channel);
  },
  /** Asks which CSV file to open; `null` when the user cancels. */
  pickOpenPath: () => open({ multiple: false, directory: false, filters: [{ name: "CSV", extensions: ["csv"] }] }),
  /** Asks where to save a file; `null` when the user cancels. */
  pickSavePath: (defaultPath: string) => save({ defaultPath, filters: [{ name: "CSV", extensions: ["csv"] }] }),
  removeCredential: commands.removeCredential,
  editPosabitCredential: commands.editPosabitCredential,
  rotatePosabitKey: commands.rotatePosabitKey,
  integrationStatus: commands.integrationStatus,
  setAgeGate: commands.setAgeGate,
  connect: commands.connectIntegration,
  disconnect: commands.disconnectIntegration,
  integrationSettings: commands.integrationSettings,
  changeSetting: commands.changeSetting,
  auditLog: commands.auditLog,
  exportAuditLog: commands.exportAuditLog,
  dryRunSetting: commands.dryRunSetting,
  smsOnlyMembers: commands.smsOnlyMembers,
  smsStatus: commands.smsStatus,
  sendSmsOptInsNow: commands.sendSmsOptInsNow,
  listStores: commands.listStores,
  listStoreTimezones: commands.listStoreTimezones,
  createStore: commands.createStore,
  updateStore: commands.updateStore,
  deleteStore: commands.deleteStore,
  listMappableKeys: commands.listMappableKeys,
  saveStoreMapping: commands.saveStoreMapping,
  listRewards: commands.listRewards,
  /** Creates a reward (`id` null) or changes one. */
  saveReward: commands.saveReward,
  retireReward: commands.retireReward,
  /** Every active reward against each connected POS's discount list, and the cards' counts. */
  checkRewardMirrors: commands.checkRewardMirrors,
  /** Redemptions per reward and store between two days (inclusive). */
  redemptionCounts: commands.redemptionCounts,
  overdrawnPersonas: commands.overdrawnPersonas,
  /** Adjusts a persona's points by hand, with a reason; answers the new balance. */
  adjustPoints: commands.adjustPoints,
};
