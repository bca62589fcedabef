import { useEffect, useState, type SyntheticEvent } from "react";
import { api } from "../api";
import type { AppError } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/** Settings → Loyalty: points per dollar and the points accrual start date; they apply to sales synced from now on. */
export function LoyaltySettings({ onToast }: { onToast: (message: string) => void }) {
  const [perDollar, setPerDollar] = useState("");
  const [start, setStart] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    api.loyaltySettings().then(
      (s) => {
        setPerDollar(String(s.points_per_dollar));
        setStart(s.accrual_start ?? "");
      },
      (caught: unknown) => { setError(caught as AppError); },
    );
  }, []);
  const save = (event: SyntheticEvent) => {
    event.preventDefault();
    setError(null);
    api
      .saveLoyaltySettings({ points_per_dollar: Number(perDollar), accrual_start: start === "" ? null : start })
      .then(
        () => { onToast("Loyalty settings saved: they apply to sales synced from now on."); },
        (caught: unknown) => { setError(caught as AppError); },
      );
  };
  return (
    <form className="card form-card" aria-labelledby="loyalty-heading" onSubmit={save}>
      <h2 id="loyalty-heading">Loyalty</h2>
      <div className="form-grid">
        <label>
          Points per dollar
          <input name="points_per_dollar" type="number" min={0} max={100} value={perDollar} onChange={(e) => { setPerDollar(e.target.value); }} />
        </label>
        <label>
          Points accrual start date
          <input name="accrual_start" type="date" value={start} onChange={(e) => { setStart(e.target.value); }} />
          <span className="muted small">Sales before this day earn no points.</span>
        </label>
      </div>
      {error && <ErrorNotice error={error} />}
      <div className="form-actions">
        <button type="submit" className="primary">Save loyalty settings</button>
      </div>
    </form>
  );
}
