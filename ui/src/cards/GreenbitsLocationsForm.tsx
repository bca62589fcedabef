import { useState, type SyntheticEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { AppError, Credential } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/**
 * Editing a Greenbits credential: which of the locations its token reaches now are synced, and
 * whether they serve medical patients.
 */
export function GreenbitsLocationsForm({ credential, onSaved, onCancel }: {
  credential: Credential;
  onSaved: (saved: Credential) => void;
  onCancel: () => void;
}) {
  const reachableQuery = useQuery({
    queryKey: ["greenbits_reachable_locations", credential.id],
    queryFn: () => api.greenbitsReachableLocations(credential.id),
  });
  const reachable = reachableQuery.data ?? null;
  const [picked, setPicked] = useState<number[]>(credential.locations.map((l) => l.id));
  const [medical, setMedical] = useState(credential.medical_patients);
  const [saveError, setError] = useState<AppError | null>(null);
  const error = saveError ?? (reachableQuery.error ? toAppError(reachableQuery.error) : null);
  const [busy, setBusy] = useState(false);
  const toggle = (id: number, on: boolean) => {
    setPicked((current) => (on ? [...current, id] : current.filter((p) => p !== id)));
  };
  const save = (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api
      .editGreenbitsCredential({ credential_id: credential.id, location_ids: picked, medical_patients: medical })
      .then(onSaved, (caught: unknown) => { setError(toAppError(caught)); })
      .finally(() => { setBusy(false); });
  };
  return (
    <form className="inline-panel" onSubmit={save} aria-label={`Locations of ${credential.store_name}`} data-testid="greenbits-edit">
      <h3>Locations synced for {credential.store_name}</h3>
      {reachable === null && !error && <p className="muted small">Asking Greenbits which locations this login reaches…</p>}
      {reachable?.map((location) => (
        <label key={location.id} className="check">
          <input
            type="checkbox"
            name={`location_${String(location.id)}`}
            checked={picked.includes(location.id)}
            onChange={(e) => { toggle(location.id, e.target.checked); }}
          />
          {location.name}{location.state ? ` (${location.state})` : ""}
        </label>
      ))}
      <label className="check">
        <input type="checkbox" name="medical_patients" checked={medical} onChange={(e) => { setMedical(e.target.checked); }} />
        These locations serve medical patients
      </label>
      {error && <ErrorNotice error={error} />}
      <div className="actions">
        <button type="submit" className="primary small" disabled={busy || reachable === null}>Save locations</button>
        <button type="button" className="secondary small" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
