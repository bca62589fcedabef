// Presenter mode: while it is on, contact details and secrets are masked wherever the UI shows them,
// so an onboarding specialist can share the screen. The backend keeps the real values.
import { createContext, useContext } from "react";

/** Whether presenter mode is on, for every component below the shell. */
export const PresenterContext = createContext(false);

/** The mask shown instead of a phone, an e-mail or a birth date. */
export const MASKS = { phone: "(•••) •••-••••", email: "•••••@•••••", date: "••••-••-••" } as const;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Any US phone as typed or as stored (E.164 `+12065550100`, `12065550100`), not inside a longer number.
const PHONE = /(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/g;
const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;

/** Masks every e-mail, phone number and date in free text (messages, notifications, copied text). */
export function maskText(text: string): string {
  return text.replace(EMAIL, MASKS.email).replace(PHONE, MASKS.phone).replace(DATE, MASKS.date);
}

/** What a component shows for contact details: the value, or its mask in presenter mode. */
export interface Mask {
  on: boolean;
  phone: (value: string) => string;
  email: (value: string) => string;
  date: (value: string) => string;
  text: (value: string) => string;
}

/** The masking functions for the current presenter mode; empty values stay empty. */
export function useMask(): Mask {
  const on = useContext(PresenterContext);
  const masked = (mask: string) => (value: string) => (on && value !== "" ? mask : value);
  return {
    on,
    phone: masked(MASKS.phone),
    email: masked(MASKS.email),
    date: masked(MASKS.date),
    text: (value: string) => (on ? maskText(value) : value),
  };
}
