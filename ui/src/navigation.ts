// The console's pages, and where each kind of notification sends the user to fix it: one place
// for the shell, the bell and the desktop notifications' clicks.

import type { NotificationKind } from "./bindings";

/** The pages reachable from the left navigation. */
export type Page = "integrations" | "personas" | "loyalty" | "sync" | "settings";

/** The left navigation, in order. */
export const PAGES: { id: Page; label: string }[] = [
  { id: "integrations", label: "Integrations" },
  { id: "personas", label: "Personas" },
  { id: "loyalty", label: "Loyalty" },
  { id: "sync", label: "Sync" },
  { id: "settings", label: "Settings" },
];

/** Where each kind of notification sends the user to fix it. */
export const NOTIFICATION_FIX: Record<NotificationKind, { page: Page; label: string }> = {
  unmapped_store: { page: "settings", label: "Map it in Retail Stores" },
  sync_failed: { page: "integrations", label: "Open the integration card" },
  reward_missing: { page: "loyalty", label: "See the reward's mirror" },
  points_overdrawn: { page: "loyalty", label: "See who is below zero" },
};
