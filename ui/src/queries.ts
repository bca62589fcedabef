// The UI's data layer: one cached query per read command, keyed here; the backend's events
// invalidate exactly the queries they affect (see `invalidationsFor`), and a mutation names the
// keys it makes stale in its `meta.invalidates`. No screen polls or counts changes by hand.
import { MutationCache, QueryClient, useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { ConsoleEvent, Integration } from "./bindings";

/** Every query's key, in one place. */
export const queryKeys = {
  appStatus: ["app_status"],
  presenterMode: ["presenter_mode"],
  notifications: ["notifications"],
  credentials: (integration: Integration) => ["credentials", integration],
  integrationStatus: (integration: Integration) => ["integration_status", integration],
  syncHistory: ["sync_history"],
  syncHealth: ["sync_health"],
  syncInterval: ["sync_interval"],
  paceCeiling: (integration: Integration) => ["pace_ceiling", integration],
  personas: ["personas"],
  persona: (id: number) => ["personas", "detail", id],
  rewards: ["rewards"],
  rewardMirrors: ["reward_mirrors"],
  redemptionCounts: (from: string, to: string) => ["redemption_counts", from, to],
  overdrawn: ["overdrawn_personas"],
  stores: ["stores"],
  apiTracking: ["api_tracking"],
  loyaltySettings: ["loyalty_settings"],
  integrationSettings: (integration: Integration) => ["integration_settings", integration],
  mappableKeys: ["mappable_keys"],
  storeTimezones: ["store_timezones"],
  auditLog: ["audit_log"],
  desktopPreferences: ["desktop_preferences"],
  realPosSettings: ["real_pos_settings"],
  consentWording: ["signup_consent_wording"],
  smsStatus: (integration: Integration) => ["sms_status", integration],
  rejectedRecords: (runId: number) => ["sync_history", "rejected", runId],
} as const;

/** The queries a backend event makes stale. */
export function invalidationsFor(event: ConsoleEvent): QueryKey[] {
  switch (event.type) {
    case "sync_finished":
      // A sync (manual or scheduled) brings shoppers, sales, discount lists, runs and notifications.
      return [
        queryKeys.notifications,
        queryKeys.syncHistory,
        queryKeys.syncHealth,
        queryKeys.credentials(event.integration),
        queryKeys.integrationStatus(event.integration),
        queryKeys.personas,
        queryKeys.rewardMirrors,
        ["redemption_counts"],
        queryKeys.overdrawn,
      ];
    case "shoppers_changed":
      // The SMS job or points expiry changed consent, SMS requests or points.
      return [queryKeys.personas, queryKeys.notifications, ["sms_status"], queryKeys.overdrawn];
    case "keychain_checked":
      return [queryKeys.appStatus];
    case "presenter_mode_changed":
      return [queryKeys.presenterMode];
    case "notification_opened":
      return [];
  }
}

/** What a mutation says it changed: the keys to invalidate once it succeeds. */
export interface MutationMeta extends Record<string, unknown> {
  invalidates?: QueryKey[];
}

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: MutationMeta;
  }
}

/** The app's query client: no retries of a refused command (its error is the answer), a screen
 * that opens reads again, and every successful mutation invalidates what its `meta.invalidates`
 * names. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    // A screen that opens reads again (what it shows may have changed behind the cache); events and
    // mutations refresh the screens already open.
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0 } },
    mutationCache: new MutationCache({
      onSuccess: (_data, _variables, _context, mutation) => {
        for (const queryKey of mutation.meta?.invalidates ?? []) void client.invalidateQueries({ queryKey });
      },
    }),
  });
  return client;
}

/** What a card's actions change (a credential, the age gate, Connect): the integration's
 * credentials and status, read again by the returned function after each action. */
export function useIntegrationRefresh(integration: Integration): () => void {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.credentials(integration) });
    void client.invalidateQueries({ queryKey: queryKeys.integrationStatus(integration) });
  };
}
