import { useState, type SyntheticEvent } from "react";
import { api } from "../api";
import { useIntegrationRefresh } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, AppStatus, Credential, IntegrationStatus } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice, errorFor } from "../components/ErrorNotice";
import { IntegrationFrame } from "./IntegrationFrame";
import { PermissionList } from "./PermissionList";
import { SyncPanel } from "./SyncPanel";
import { TestConnectionButton } from "./TestConnectionButton";
import { formatDateTime } from "../format";

interface Props {
  status: AppStatus | null;
  connection: IntegrationStatus | null;
  credentials: Credential[];
  onToast: (message: string) => void;
  onClose: () => void;
  onShowPersonas: () => void;
}

/** The POSaBIT integration card, in the seeds' order: header, warning, credentials, loyalty, sync. */
export function PosabitCard({ status, connection, credentials, onToast, onClose, onShowPersonas }: Props) {
  const refresh = useIntegrationRefresh("posabit");
  const [actionError, setActionError] = useState<AppError | null>(null);
  const connected = connection?.connected_at != null;

  return (
    <IntegrationFrame
      integration="posabit"
      connection={connection}
      onToast={onToast}
      onClose={onClose}
      footer={<SyncPanel integration="posabit" connected={connected} onToast={onToast} onShowPersonas={onShowPersonas} />}
    >
        <CredentialTable credentials={credentials} onToast={onToast} />
        {actionError && <ErrorNotice error={actionError} />}
        <AddCredentialForm
          onAdded={(message) => {
            refresh();
            onToast(message);
          }}
        />
        {status?.sandbox && status.sandbox_stores.length > 0 && (
          <details className="sandbox-keys">
            <summary>Sandbox stores (simulated data)</summary>
            <p className="muted">The built-in sandbox simulates these POSaBIT venues. Canopy adds one with its sandbox key for you.</p>
            <ul>
              {status.sandbox_stores.map((store) => (
                <li key={store.venue_id}>
                  <span>
                    <strong>{store.venue_name}</strong> ({store.state}) — {store.note}
                  </span>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => {
                      const name = store.venue_name.replace(/^Greenleaf /, "").replace(/ \(.*\)$/, "");
                      api.addSandboxCredential(store.venue_id, name).then(
                        (added) => {
                          refresh();
                          onToast(`Credential “${added.credential.store_name}” added and verified.`);
                        },
                        (e: unknown) => {
                          setActionError(toAppError(e));
                        },
                      );
                    }}
                  >
                    Add this store
                  </button>
                </li>
              ))}
            </ul>
          </details>
        )}

    </IntegrationFrame>
  );
}

function CredentialTable({
  credentials,
  onToast,
}: {
  credentials: Credential[];
  onToast: (message: string) => void;
}) {
  const refresh = useIntegrationRefresh("posabit");
  const [removing, setRemoving] = useState<Credential | null>(null);
  const [rotating, setRotating] = useState<string | null>(null);
  const [newKey, setNewKey] = useState("");
  const [editing, setEditing] = useState<{ id: string; storeName: string; market: string } | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const remove = async (credential: Credential) => {
    setRemoving(null);
    setError(null);
    try {
      await api.removeCredential(credential.id);
      onToast(`Credential “${credential.store_name}” removed; its key was deleted from the keychain.`);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      refresh();
    }
  };
  const rotate = async (event: SyntheticEvent, credential: Credential) => {
    event.preventDefault();
    setError(null);
    try {
      const rotated = await api.rotatePosabitKey(credential.id, newKey);
      setRotating(null);
      setNewKey("");
      onToast(`The key of “${rotated.credential.store_name}” was replaced and verified.`);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      refresh();
    }
  };

  const saveEdit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (!editing) return;
    setError(null);
    try {
      const saved = await api.editPosabitCredential(editing.id, editing.storeName, editing.market.trim() === "" ? null : editing.market);
      setEditing(null);
      onToast(`Credential “${saved.store_name}” saved.`);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      refresh();
    }
  };

  if (credentials.length === 0) {
    return <p className="empty">No credentials yet — add one per store with the Key from POSaBIT.</p>;
  }
  return (
    <>
    <table className="table" data-testid="credentials">
      <thead>
        <tr>
          <th scope="col">Store Name</th>
          <th scope="col">Key</th>
          <th scope="col">Market</th>
          <th scope="col">POSaBIT venue</th>
          <th scope="col">Permissions</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {credentials.map((c) => (
          <tr key={c.id}>
            <td>{c.store_name}</td>
            <td>
              <span className="masked" aria-label="Key, stored in the system keychain">
                ••••••••
              </span>
            </td>
            <td>{c.market ?? "—"}</td>
            <td>
              {c.venue_name ?? "—"}
              {c.venue_state ? ` (${c.venue_state})` : ""}
              {c.verified_at && <div className="muted small">Verified {formatDateTime(c.verified_at)}</div>}
            </td>
            <td>
              <PermissionList permissions={c.permissions} />
            </td>
            <td className="actions">
              {editing?.id === c.id ? (
                <form onSubmit={(e) => void saveEdit(e)} aria-label={`Edit ${c.store_name}`}>
                  <input name="edit_store_name" aria-label="Store Name" value={editing.storeName} required onChange={(e) => { setEditing({ ...editing, storeName: e.target.value }); }} />
                  <input name="edit_market" aria-label="Relevant market" className="narrow" value={editing.market} maxLength={2} placeholder="WA" onChange={(e) => { setEditing({ ...editing, market: e.target.value }); }} />
                  <button type="submit" className="secondary small">Save</button>
                  <button type="button" className="link small" onClick={() => { setEditing(null); }}>Cancel</button>
                </form>
              ) : rotating === c.id ? (
                <form onSubmit={(e) => void rotate(e, c)} aria-label={`New key for ${c.store_name}`}>
                  <input
                    type="password"
                    name="new_key"
                    aria-label="New key"
                    value={newKey}
                    required
                    autoComplete="off"
                    onChange={(e) => { setNewKey(e.target.value); }}
                  />
                  <button type="submit" className="secondary small">Save key</button>
                  <button type="button" className="link small" onClick={() => { setRotating(null); setNewKey(""); }}>
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <button type="button" className="secondary small" onClick={() => { setEditing({ id: c.id, storeName: c.store_name, market: c.market ?? "" }); }}>
                    Edit
                  </button>
                  <button type="button" className="secondary small" onClick={() => { setRotating(c.id); setNewKey(""); }}>
                    Rotate key
                  </button>
                  <TestConnectionButton credential={c} onToast={onToast} />
                  <button type="button" className="secondary small danger-text" onClick={() => { setRemoving(c); }}>
                    Remove
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
      {error && (
        <caption className="caption-bottom">
          <ErrorNotice error={error} />
        </caption>
      )}
    </table>
      {removing && (
        <ConfirmDialog
          title={`Canopy stops syncing “${removing.store_name}”`}
          confirmLabel="Remove credential"
          onCancel={() => { setRemoving(null); }}
          onConfirm={() => void remove(removing)}
        >
          <p>Its key is deleted from the system keychain and its store mapping is cleared. Personas it already brought in stay, sourced from posabit.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** Add Credential: Store Name, Key, Relevant market of credential (optional). */
export function AddCredentialForm({ onAdded }: { onAdded: (message: string) => void }) {
  const [storeName, setStoreName] = useState("");
  const [key, setKey] = useState("");
  const [market, setMarket] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await api.addPosabitCredential({ store_name: storeName, key, market: market.trim() === "" ? null : market });
      setStoreName("");
      setKey("");
      setMarket("");
      const trimmed = added.key_was_trimmed ? " Spaces around the key were removed." : "";
      onAdded(`Credential “${added.credential.store_name}” added and verified.${trimmed}`);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Add Credential">
      <div className="form-row">
        <label>
          Store Name
          <input name="store_name" value={storeName} required autoComplete="off" onChange={(e) => { setStoreName(e.target.value); }} />
          <span className="help">Name of the store</span>
        </label>
        <label>
          Key
          <input
            name="key"
            type="password"
            value={key}
            {...errorFor(error, "add-credential-error")}
            required
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setKey(e.target.value);
            }}
          />
          <span className="help">Obtained from POSaBIT; kept only in the system keychain</span>
        </label>
        <label>
          Relevant market of credential (optional)
          <input name="market" value={market} maxLength={2} placeholder="e.g. WA" autoComplete="off" onChange={(e) => { setMarket(e.target.value); }} />
          <span className="help">A US state</span>
        </label>
      </div>
      {error && <ErrorNotice error={error} title="The credential was not added" id="add-credential-error" />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Checking the key with POSaBIT…" : "Add Credential"}
      </button>
    </form>
  );
}
