import { useState, type SyntheticEvent } from "react";
import { api } from "../api";
import { useIntegrationRefresh } from "../queries";
import { WholeListsButton } from "./WholeListsButton";
import { toAppError } from "../ipc";
import type { AppError, Credential, GreenbitsLogin, IntegrationStatus } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice, errorFor } from "../components/ErrorNotice";
import { IntegrationFrame } from "./IntegrationFrame";
import { PermissionList } from "./PermissionList";
import { SyncPanel } from "./SyncPanel";
import { GreenbitsLocationsForm } from "./GreenbitsLocationsForm";
import { TestConnectionButton } from "./TestConnectionButton";
import { useMask } from "../presenter";

interface Props {
  connection: IntegrationStatus | null;
  credentials: Credential[];
  onToast: (message: string) => void;
  onClose: () => void;
  onShowPersonas: () => void;
}

/** The Greenbits integration card: credentials are a log-in, its permission pre-flight and the locations. */
export function GreenbitsCard({ connection, credentials, onToast, onClose, onShowPersonas }: Props) {
  const refresh = useIntegrationRefresh("greenbits");
  const [removing, setRemoving] = useState<Credential | null>(null);
  const [editing, setEditing] = useState<Credential | null>(null);
  const mask = useMask();
  const [error, setError] = useState<AppError | null>(null);

  return (
    <IntegrationFrame
      integration="greenbits"
      connection={connection}
      onToast={onToast}
      onClose={onClose}
      footer={
        <SyncPanel
          integration="greenbits"
          connected={connection?.connected_at != null}
          onToast={onToast}
          onShowPersonas={onShowPersonas}
        />
      }
    >
      {credentials.length === 0 ? (
        <p className="empty">No credentials yet — log in with the Greenbits user the dispensary created for Canopy.</p>
      ) : (
        <table className="table" data-testid="greenbits-credentials">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Token</th>
              <th scope="col">Associated Email</th>
              <th scope="col">Locations</th>
              <th scope="col">Permissions</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {credentials.map((c) => (
              <tr key={c.id}>
                <td>{c.username ?? c.store_name}</td>
                <td><span className="masked" aria-label="API token, stored in the system keychain">••••••••</span></td>
                <td>{mask.email(c.associated_email ?? "")}</td>
                <td>
                  {c.locations.map((l) => l.name).join(", ")}
                  {c.medical_patients && <div className="muted small">Serves medical patients</div>}
                </td>
                <td>
                  <PermissionList permissions={c.permissions} />
                </td>
                <td className="actions">
                  <button type="button" className="secondary small" onClick={() => { setEditing(c); }}>Edit</button>
                  <TestConnectionButton credential={c} onToast={onToast} />
                  <button type="button" className="secondary small danger-text" onClick={() => { setRemoving(c); }}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {credentials.length > 0 && <WholeListsButton integration="greenbits" onToast={onToast} />}
      {editing && (
        <GreenbitsLocationsForm
          key={editing.id}
          credential={editing}
          onCancel={() => { setEditing(null); }}
          onSaved={(saved) => {
            setEditing(null);
            onToast(`“${saved.store_name}” now syncs ${saved.locations.map((l) => l.name).join(", ")}.`);
            refresh();
          }}
        />
      )}
      {error && <ErrorNotice error={error} />}
      <GreenbitsCredentialForm onAdded={(message) => { refresh(); onToast(message); }} />
      {removing && (
        <ConfirmDialog
          title={`Canopy stops syncing “${removing.store_name}”`}
          confirmLabel="Remove credential"
          onCancel={() => { setRemoving(null); }}
          onConfirm={() => {
            const credential = removing;
            setRemoving(null);
            api.removeCredential(credential.id).then(
              () => { onToast(`Credential “${credential.store_name}” removed; its token was deleted from the keychain.`); refresh(); },
              (e: unknown) => { setError(toAppError(e)); },
            );
          }}
        >
          <p>Its token is deleted from the system keychain and its locations&apos; store mappings are cleared. Personas it brought in stay.</p>
        </ConfirmDialog>
      )}
    </IntegrationFrame>
  );
}

/** Step 1: Username, Password, Associated Email → Log in. Step 2: the pre-flight, Locations, medical patients → Add Credential. */
export function GreenbitsCredentialForm({ onAdded }: { onAdded: (message: string) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [email, setEmail] = useState("");
  const [login, setLogin] = useState<GreenbitsLogin | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [medical, setMedical] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  const logIn = (event: SyntheticEvent) => {
    event.preventDefault();
    void run(async () => {
      const found = await api.greenbitsLogin({ username, password });
      setPassword(""); // used once; never kept
      setLogin(found);
      setPicked(found.locations.map((l) => l.id));
    });
  };
  const add = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!login) return;
    void run(async () => {
      const added = await api.addGreenbitsCredential({ login_id: login.login_id, associated_email: email, location_ids: picked, medical_patients: medical });
      setLogin(null);
      setUsername("");
      setEmail("");
      onAdded(`Greenbits credential “${added.credential.store_name}” added; Canopy keeps its token, not the password.`);
    });
  };

  if (!login) {
    return (
      <form className="form" aria-label="Log in to Greenbits" onSubmit={logIn}>
        <div className="form-row">
          <label>Username<input name="gb_username" value={username} required autoComplete="off" onChange={(e) => { setUsername(e.target.value); }} /></label>
          <label>
            Password
            <input name="gb_password" type="password" value={password} required autoComplete="off" {...errorFor(error, "greenbits-login-error")} onChange={(e) => { setPassword(e.target.value); }} />
            <span className="help">Used once to generate the API token; never stored</span>
          </label>
          <label>Associated Email<input name="gb_email" type="email" value={email} required autoComplete="off" onChange={(e) => { setEmail(e.target.value); }} /></label>
        </div>
        {error && <ErrorNotice error={error} title="Canopy could not log in to Greenbits" id="greenbits-login-error" />}
        <button type="submit" className="primary" disabled={busy}>{busy ? "Logging in to Greenbits…" : "Log in"}</button>
      </form>
    );
  }
  return (
    <form className="form" aria-label="Greenbits locations" onSubmit={add}>
      <p>
        Logged in as <strong>{login.username}</strong>. Permission pre-flight:
      </p>
      <PermissionList permissions={login.permissions} testId="greenbits-preflight" />
      <fieldset className="mappings">
        <legend>Locations</legend>
        {login.locations.map((l) => (
          <label key={l.id} className="checkbox">
            <input
              type="checkbox"
              name={`location_${l.id}`}
              checked={picked.includes(l.id)}
              onChange={(e) => { setPicked(e.target.checked ? [...picked, l.id] : picked.filter((id) => id !== l.id)); }}
            />
            <span>{l.name}{l.state ? ` (${l.state})` : ""}</span>
          </label>
        ))}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" name="medical_patients" checked={medical} onChange={(e) => { setMedical(e.target.checked); }} />
        <span>These locations serve medical patients</span>
      </label>
      {error && <ErrorNotice error={error} title="The credential was not added" />}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={() => { setLogin(null); }}>Back</button>
        <button type="submit" className="primary" disabled={busy}>Add Credential</button>
      </div>
    </form>
  );
}
