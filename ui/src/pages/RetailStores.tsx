import { useCallback, useState, type SyntheticEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Integration, MappableKey, RetailStore, StoreInput } from "../bindings";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { POS_NAMES } from "../labels";

/** The integrations a store can have a mapping row for, in display order. */
const INTEGRATIONS: Integration[] = ["posabit", "greenbits"];


/** What a change of a store or its mapping makes stale. */
const STORE_QUERIES = [
  queryKeys.stores,
  queryKeys.mappableKeys,
  queryKeys.apiTracking,
  queryKeys.auditLog,
  queryKeys.notifications,
  queryKeys.personas,
  queryKeys.rewardMirrors,
];

const EMPTY: StoreInput = { name: "", store_number: "", state: "", timezone: "America/Los_Angeles", address: null, license: null };

/** Settings → Company Account → Retail Stores: the stores, and each store's Store Mappings. */
export function RetailStores({ onToast }: { onToast: (message: string) => void }) {
  const queryClient = useQueryClient();
  const storesQuery = useQuery({ queryKey: queryKeys.stores, queryFn: api.listStores });
  const keysQuery = useQuery({ queryKey: queryKeys.mappableKeys, queryFn: api.listMappableKeys });
  const timezonesQuery = useQuery({ queryKey: queryKeys.storeTimezones, queryFn: api.listStoreTimezones, staleTime: Infinity });
  const stores = storesQuery.data ?? [];
  const keys = keysQuery.data ?? [];
  const timezones = timezonesQuery.data ?? [EMPTY.timezone];
  const [editing, setEditing] = useState<RetailStore | "new" | null>(null);
  const [deleting, setDeleting] = useState<RetailStore | null>(null);
  const [actionError, setError] = useState<AppError | null>(null);
  const failure = storesQuery.error ?? keysQuery.error ?? timezonesQuery.error;
  const error = actionError ?? (failure ? toAppError(failure) : null);

  // A store or mapping changed: what lists stores (API & Tracking, the audit log, the bell, the
  // rewards' stores, favourite stores on personas) reads again.
  const reload = useCallback(() => {
    for (const queryKey of STORE_QUERIES) void queryClient.invalidateQueries({ queryKey });
  }, [queryClient]);

  const mappedTo = (store: RetailStore) =>
    keys.filter((k) => k.store_id === store.id).map((k) => `${POS_NAMES[k.integration]}: ${k.label}`);

  return (
    <div className="card" aria-labelledby="stores-heading">
      <div className="card-title">
        <h2 id="stores-heading">Retail Stores</h2>
        <span className="muted small">Company Account</span>
        <span className="spacer" />
        {editing === null && (
          <button type="button" className="primary" onClick={() => { setEditing("new"); }}>
            Add store
          </button>
        )}
      </div>
      {error && <ErrorNotice error={error} />}
      {editing !== null && (
        <StoreForm
          timezones={timezones}
          store={editing === "new" ? null : editing}
          keys={keys}
          stores={stores}
          onDone={(message) => {
            setEditing(null);
            reload();
            if (message) onToast(message);
          }}
        />
      )}
      {stores.length === 0 && editing === null && <p className="empty">No retail stores yet — add one per store, then map its POS key.</p>}
      {stores.length > 0 && (
        <table className="table" data-testid="stores">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Store ID number</th>
              <th scope="col">State</th>
              <th scope="col">Time zone</th>
              <th scope="col">Store Mappings</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {stores.map((store) => (
              <tr key={store.id}>
                <td>{store.name}</td>
                <td className="number">{store.store_number}</td>
                <td>{store.state}</td>
                <td>{store.timezone}</td>
                <td>{mappedTo(store).length > 0 ? mappedTo(store).join(", ") : <span className="muted">Not mapped</span>}</td>
                <td className="actions">
                  <button type="button" className="secondary small" onClick={() => { setEditing(store); }}>Edit</button>
                  <button type="button" className="secondary small danger-text" onClick={() => { setDeleting(store); }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Its POS keys become unmapped`}
          confirmLabel={`Delete “${deleting.name}”`}
          onCancel={() => { setDeleting(null); }}
          onConfirm={() => {
            const store = deleting;
            setDeleting(null);
            api.deleteStore(store.id).then(
              () => { onToast(`Store “${store.name}” deleted.`); reload(); },
              (e: unknown) => { setError(toAppError(e)); },
            );
          }}
        >
          <p>Deleting “{deleting.name}” removes its Store Mappings; personas keep their data.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The store form; when editing, with the Store Mappings row for POSaBIT. */
function StoreForm({
  timezones,
  store,
  keys,
  stores,
  onDone,
}: {
  timezones: string[];
  store: RetailStore | null;
  keys: MappableKey[];
  stores: RetailStore[];
  onDone: (message?: string) => void;
}) {
  const [input, setInput] = useState<StoreInput>(store ? { ...store } : EMPTY);
  const integrations = INTEGRATIONS.filter((i) => keys.some((k) => k.integration === i));
  const current = (integration: Integration) => keys.find((k) => k.integration === integration && store && k.store_id === store.id)?.key_id ?? "";
  const [mapping, setMapping] = useState<Record<Integration, string>>({ posabit: current("posabit"), greenbits: current("greenbits") });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const field = (name: keyof StoreInput) => (e: { target: { value: string } }) => {
    setInput({ ...input, [name]: e.target.value });
  };
  const storeName = (id: number | null) => stores.find((s) => s.id === id)?.name ?? "another store";

  const save = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = store ? await api.updateStore(store.id, input) : await api.createStore(input);
      if (store) {
        for (const integration of integrations) {
          await api.saveStoreMapping(saved.id, integration, mapping[integration] === "" ? null : mapping[integration]);
        }
      }
      onDone(`Store “${saved.name}” saved.`);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" aria-label={store ? `Edit ${store.name}` : "Add store"} onSubmit={(e) => void save(e)}>
      <div className="form-row">
        <label>Name<input name="name" value={input.name} required onChange={field("name")} /></label>
        <label>
          Store ID number
          <input name="store_number" value={input.store_number} required inputMode="numeric" onChange={field("store_number")} />
          <span className="help">Typed into the POS&apos;s integration Data field in place of “#”</span>
        </label>
        <label>State<input name="state" value={input.state} required maxLength={2} placeholder="e.g. WA" onChange={field("state")} /></label>
      </div>
      <div className="form-row">
        <label>
          Time zone
          <select name="timezone" value={input.timezone} onChange={field("timezone")}>
            {timezones.map((tz) => <option key={tz} value={tz}>{tz}</option>)}
          </select>
        </label>
        <label>Address<input name="address" value={input.address ?? ""} onChange={field("address")} /></label>
        <label>License<input name="license" value={input.license ?? ""} onChange={field("license")} /></label>
      </div>
      {store && (
        <fieldset className="mappings">
          <legend>Store Mappings</legend>
          {integrations.length === 0 && <p className="muted">No POS credential yet — add one on an integration card, then map it here.</p>}
          {integrations.map((integration) => (
            <label key={integration} className="mapping-row">
              <span className={`logo logo-${integration}`} aria-hidden="true">{POS_NAMES[integration].slice(0, 1)}</span>
              <span className="visually-hidden">{POS_NAMES[integration]} key</span>
              <select
                name={`${integration}_key`}
                value={mapping[integration]}
                onChange={(e) => { setMapping({ ...mapping, [integration]: e.target.value }); }}
              >
                <option value="">— Not mapped —</option>
                {keys.filter((k) => k.integration === integration).map((k) => {
                  const taken = k.store_id !== null && k.store_id !== store.id;
                  const suggested = k.suggested_store_id === store.id;
                  return (
                    <option key={k.key_id} value={k.key_id} disabled={taken}>
                      {k.label}
                      {taken ? ` (mapped to ${storeName(k.store_id)})` : suggested ? " (suggested)" : ""}
                    </option>
                  );
                })}
              </select>
            </label>
          ))}
        </fieldset>
      )}
      {error && <ErrorNotice error={error} title="The store was not saved" />}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={() => { onDone(); }}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>{store ? "Save settings" : "Add store"}</button>
      </div>
    </form>
  );
}
