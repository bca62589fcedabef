import { useRef, useState, type SyntheticEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, RetailStore } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { modalKeyDown, useModalFocus } from "../components/modal";

interface Props {
  /** The retail stores to pick the store of signup from. */
  stores: RetailStore[];
  onClose: () => void;
  onSignedUp: (personaId: number) => void;
}

/**
 * The local signup form: a loyalty member from the start. Consent shows the wording the shopper
 * signs (its version is kept with the signature) and needs a birth date showing 21 or older. A real
 * modal: focus is trapped inside, Escape closes it, focus returns to the opener.
 */
export function SignupForm({ stores, onClose, onSignedUp }: Props) {
  const [form, setForm] = useState({ first: "", last: "", phone: "", email: "", birth: "", store: "", consent: false, signature: "" });
  const wordingQuery = useQuery({ queryKey: queryKeys.consentWording, queryFn: api.signupConsentWording, staleTime: Infinity });
  const wording = wordingQuery.data ?? null;
  const [submitError, setError] = useState<AppError | null>(null);
  const error = submitError ?? (wordingQuery.error ? toAppError(wordingQuery.error) : null);
  const [saving, setSaving] = useState(false);
  const dialog = useRef<HTMLFormElement>(null);
  useModalFocus(dialog);
  const set = (change: Partial<typeof form>) => { setForm((current) => ({ ...current, ...change })); };
  const blank = (value: string) => (value.trim() === "" ? null : value);

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    api
      .signUp({
        first_name: form.first,
        last_name: blank(form.last),
        phone: blank(form.phone),
        email: blank(form.email),
        birth_date: blank(form.birth),
        consent: form.consent,
        signature: form.consent ? blank(form.signature) : null,
        consent_version: form.consent ? wording?.version : undefined,
        store_id: form.store === "" ? undefined : Number(form.store),
      })
      .then(onSignedUp, (caught: unknown) => { setError(toAppError(caught)); })
      .finally(() => { setSaving(false); });
  };

  return (
    <div className="dialog-backdrop">
      <form ref={dialog} className="dialog" role="dialog" aria-modal="true" aria-labelledby="signup-title" onSubmit={submit}
        onKeyDown={(event) => { modalKeyDown(dialog.current, onClose)(event); }}>
        <h2 id="signup-title">Add a signup</h2>
        <p className="muted small">The shopper joins the loyalty program. With Sync Personas on, the POS gets them too.</p>
        <div className="form-grid">
          <label>First name<input name="signup_first" required value={form.first} onChange={(e) => { set({ first: e.target.value }); }} /></label>
          <label>Last name<input name="signup_last" value={form.last} onChange={(e) => { set({ last: e.target.value }); }} /></label>
          <label>Phone<input name="signup_phone" type="tel" value={form.phone} onChange={(e) => { set({ phone: e.target.value }); }} /></label>
          <label>Email<input name="signup_email" type="email" value={form.email} onChange={(e) => { set({ email: e.target.value }); }} /></label>
          <label>Birth date<input name="signup_birth" type="date" value={form.birth} required={form.consent} onChange={(e) => { set({ birth: e.target.value }); }} /></label>
          <label>
            Store of signup
            <select name="signup_store" value={form.store} onChange={(e) => { set({ store: e.target.value }); }}>
              <option value="">Not at a store</option>
              {stores.map((s) => <option key={s.id} value={s.id}>{s.name} ({s.state})</option>)}
            </select>
          </label>
        </div>
        <label className="check">
          <input name="signup_consent" type="checkbox" checked={form.consent} disabled={wording === null} onChange={(e) => { set({ consent: e.target.checked }); }} />
          The shopper agrees to receive marketing messages
        </label>
        {form.consent && wording && (
          <>
            <p className="consent-wording small" data-testid="consent-wording">{wording.text}</p>
            <label>Signature<input name="signup_signature" value={form.signature} required onChange={(e) => { set({ signature: e.target.value }); }} placeholder="The shopper types their name" /></label>
          </>
        )}
        {error && <ErrorNotice error={error} />}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={saving}>Save signup</button>
        </div>
      </form>
    </div>
  );
}
