// Display helpers shared by the pages.

import type { SmsConsent } from "./bindings";
import { SMS_CONSENT_LABELS } from "./labels";

/** `+15552312222` → `(555) 231-2222`; anything else is shown as it is. */
export function formatPhone(e164: string | null): string {
  if (!e164) return "";
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return match ? `(${match[1] ?? ""}) ${match[2] ?? ""}-${match[3] ?? ""}` : e164;
}

/** "First Last", or a dash when the POS sent no name. */
export function fullName(first: string | null, last: string | null): string {
  const name = [first, last].filter((part) => part && part.trim() !== "").join(" ");
  return name === "" ? "—" : name;
}

/** A short local date and time for a RFC 3339 stamp. */
export function formatDateTime(stamp: string): string {
  const date = new Date(stamp);
  return Number.isNaN(date.getTime()) ? stamp : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "1 persona", "2 personas". */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString()} ${noun}${count === 1 ? "" : "s"}`;
}

/** How the table words a persona's SMS consent: a dash when never asked. */
export function smsLabel(state: SmsConsent): string {
  return state === "none" ? "—" : SMS_CONSENT_LABELS[state];
}
