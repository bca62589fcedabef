import { useState } from "react";
import { api } from "../api";
import type { AppStatus, RealPosSettings } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { RealPosForm } from "../components/RealPosForm";
import { CONSOLE_MODE_LABELS } from "../labels";
import { reloadOnNewMode, switchToRealPos } from "./FirstStart";

/**
 * Settings → Data source: the mode in use, switching to the other one, and real mode's addresses
 * and tokens.
 */
export function DataSource({ status }: { status: AppStatus }) {
  const [editing, setEditing] = useState<RealPosSettings | null>(null);
  const [confirmSandbox, setConfirmSandbox] = useState(false);
  const real = status.mode === "real";
  const edit = () => {
    void api.realPosSettings().then(setEditing);
  };

  return (
    <div className="card" aria-labelledby="data-source-heading">
      <h2 id="data-source-heading">Data source</h2>
      <dl className="facts">
        <dt>In use</dt>
        <dd>
          {status.mode ? CONSOLE_MODE_LABELS[status.mode] : "None chosen"}
          <div className="muted small">
            {real ? `POSaBIT at ${status.posabit_url}` : "Simulated servers on this computer; generated shoppers only"}
          </div>
        </dd>
      </dl>
      {status.mode_set_by_environment ? (
        <p className="muted small">
          CANOPY_POSABIT_URL is set, so Canopy runs on your POS; start it without that variable to switch.
        </p>
      ) : (
        <div className="form-actions">
          {real ? (
            <button type="button" className="secondary" onClick={() => { setConfirmSandbox(true); }}>
              Switch to the sandbox
            </button>
          ) : (
            <button type="button" className="secondary" onClick={edit}>
              Connect my POS…
            </button>
          )}
          {real && (
            <button type="button" className="secondary" onClick={edit}>
              Edit POS addresses and tokens
            </button>
          )}
        </div>
      )}
      {editing && (
        <RealPosForm
          saved={editing}
          submitLabel={real ? "Save and reconnect" : "Switch to my POS"}
          onSubmit={switchToRealPos}
          onCancel={() => {
            setEditing(null);
          }}
        />
      )}
      {confirmSandbox && (
        <ConfirmDialog
          title="Switch to the sandbox?"
          confirmLabel="Switch to the sandbox"
          onCancel={() => {
            setConfirmSandbox(false);
          }}
          onConfirm={() => {
            void api.chooseMode("sandbox", null).then(reloadOnNewMode);
          }}
        >
          <p>
            Canopy stops syncing your POS and shows the sandbox&apos;s generated shoppers. Your real data stays in its own
            file and comes back when you switch again; a sync that is running stops at its next page and resumes then.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
