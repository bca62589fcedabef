import { useState, type SyntheticEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Expiration, LoyaltySettings as LoyaltySettingsValue } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/** The form's fields, as typed. */
interface Fields {
  perDollar: string;
  start: string;
  expiration: Expiration;
  days: string;
  smsMax: string;
}

/** The saved settings as the form shows them. */
function fieldsOf(s: LoyaltySettingsValue): Fields {
  return {
    perDollar: String(s.points_per_dollar),
    start: s.accrual_start ?? "",
    expiration: s.expiration,
    days: String(s.expiration_days),
    smsMax: String(s.sms_max_requests),
  };
}

/**
 * Settings → Loyalty: points per dollar, the points accrual start date, points expiration (legacy or
 * FIFO, applied by an hourly job and shown in each persona's ledger) and how many SMS opt-in
 * requests a shopper can ever get.
 */
export function LoyaltySettings({ onToast }: { onToast: (message: string) => void }) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: queryKeys.loyaltySettings, queryFn: api.loyaltySettings });
  // What the user typed, over what is saved.
  const [edited, setFields] = useState<Fields | null>(null);
  const fields = edited ?? (query.data ? fieldsOf(query.data) : null);
  const [saveError, setError] = useState<AppError | null>(null);
  const error = saveError ?? (query.error ? toAppError(query.error) : null);
  if (!fields) return error ? <ErrorNotice error={error} /> : null;
  const change = (patch: Partial<Fields>) => { setFields({ ...fields, ...patch }); };
  const save = (event: SyntheticEvent) => {
    event.preventDefault();
    setError(null);
    api
      .saveLoyaltySettings({
        points_per_dollar: Number(fields.perDollar),
        accrual_start: fields.start === "" ? null : fields.start,
        expiration: fields.expiration,
        expiration_days: Number(fields.days),
        sms_max_requests: Number(fields.smsMax),
      })
      .then(
        (saved) => {
          queryClient.setQueryData(queryKeys.loyaltySettings, saved);
          setFields(null);
          onToast("Loyalty settings saved: they apply to sales synced from now on.");
        },
        (caught: unknown) => { setError(toAppError(caught)); },
      );
  };
  return (
    <form className="card form-card" aria-labelledby="loyalty-heading" onSubmit={save}>
      <h2 id="loyalty-heading">Loyalty</h2>
      <div className="form-grid">
        <label>
          Points per dollar
          <input name="points_per_dollar" type="number" min={0} max={100} value={fields.perDollar} onChange={(e) => { change({ perDollar: e.target.value }); }} />
        </label>
        <label>
          Points accrual start date
          <input name="accrual_start" type="date" value={fields.start} onChange={(e) => { change({ start: e.target.value }); }} />
          <span className="muted small">Sales before this day earn no points.</span>
        </label>
        <label>
          Points expiration
          <select name="expiration" value={fields.expiration} onChange={(e) => { change({ expiration: e.target.value as Expiration }); }}>
            <option value="never">Never</option>
            <option value="legacy">Legacy: the balance expires after days without a purchase</option>
            <option value="fifo">First in, first out (FIFO): each purchase&apos;s points expire on their own</option>
          </select>
          <span className="muted small">FIFO cannot be used while Greenbits points are mirrored.</span>
        </label>
        <label>
          Expire after (days)
          <input name="expiration_days" type="number" min={1} max={3650} value={fields.days} disabled={fields.expiration === "never"} onChange={(e) => { change({ days: e.target.value }); }} />
        </label>
        <label>
          SMS opt-in requests per shopper, at most
          <input name="sms_max_requests" type="number" min={1} max={5} value={fields.smsMax} onChange={(e) => { change({ smsMax: e.target.value }); }} />
          <span className="muted small">Over every integration&apos;s “Send SMS double opt-ins” setting.</span>
        </label>
      </div>
      {error && <ErrorNotice error={error} />}
      <div className="form-actions">
        <button type="submit" className="primary">Save loyalty settings</button>
      </div>
    </form>
  );
}
