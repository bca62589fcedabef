import { useState } from "react";
import { api } from "../api";
import { queryKeys } from "../queries";
import { useQuery } from "@tanstack/react-query";
import type { RealPosInput } from "../bindings";
import { RealPosForm } from "../components/RealPosForm";

/** Reloads the window so every view starts over on the chosen mode's data. */
export function reloadOnNewMode() {
  window.location.reload();
}

/** Puts Canopy on the real POS with `input` (addresses, tokens), then reloads. */
export async function switchToRealPos(input: RealPosInput) {
  await api.chooseMode("real", input);
  reloadOnNewMode();
}

/**
 * The first start: the user picks the sandbox (generated shoppers, nothing real) or their own POS
 * (its addresses and tokens entered here). Each keeps its own database; the choice is switchable in
 * Settings.
 */
export function FirstStart() {
  const saved = useQuery({ queryKey: queryKeys.realPosSettings, queryFn: api.realPosSettings }).data ?? null;
  const [connecting, setConnecting] = useState(false);

  return (
    <main className="first-start" aria-labelledby="first-start-heading">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">C</span>
        <span className="brand-name">Canopy</span>
      </div>
      <h1 id="first-start-heading">Where should Canopy get its data?</h1>
      <p className="muted">You can switch later in Settings. Each choice keeps its own data: nothing from the sandbox ever reaches your real data.</p>
      <div className="mode-choices">
        <button
          type="button"
          className="mode-choice"
          data-testid="choose-sandbox"
          onClick={() => {
            void api.chooseMode("sandbox", null).then(reloadOnNewMode);
          }}
        >
          <strong>Explore with the sandbox</strong>
          <span>Simulated POSaBIT and Greenbits servers on this computer, with generated shoppers. No real data, no real texts.</span>
        </button>
        <button
          type="button"
          className={connecting ? "mode-choice selected" : "mode-choice"}
          data-testid="choose-real"
          aria-expanded={connecting}
          onClick={() => {
            setConnecting(true);
          }}
        >
          <strong>Connect my POS</strong>
          <span>Your dispensary&apos;s POSaBIT or Greenbits, and your SMS gateway. Tokens are kept in the system keychain.</span>
        </button>
      </div>
      {connecting && saved && (
        <div className="card">
          <h2>Your POS</h2>
          <RealPosForm
            saved={saved}
            submitLabel="Connect my POS"
            onSubmit={switchToRealPos}
            onCancel={() => {
              setConnecting(false);
            }}
          />
        </div>
      )}
    </main>
  );
}
