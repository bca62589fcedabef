import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { toAppError } from "../ipc";
import { queryKeys } from "../queries";
import type { AppError, Integration } from "../bindings";
import { POS_NAMES } from "../labels";
import { ErrorNotice, errorFor } from "./ErrorNotice";

/**
 * Sync → Schedule: the most requests a second Canopy sends one credential of a POS. The pace
 * starts at 5 a second, quickens while the POS answers cleanly and slows down when it asks to;
 * this is the ceiling it never goes past.
 */
export function PaceForm({ integration, onToast }: { integration: Integration; onToast: (message: string) => void }) {
  const name = POS_NAMES[integration];
  const saved = useQuery({ queryKey: queryKeys.paceCeiling(integration), queryFn: () => api.paceCeiling(integration) }).data;
  const [typed, setTyped] = useState<string | null>(null);
  const perSecond = typed ?? (saved === undefined ? "" : String(saved));
  const [error, setError] = useState<AppError | null>(null);
  const id = `pace-${integration}`;
  const save = useMutation({
    mutationFn: (value: number) => api.setPaceCeiling(integration, value),
    meta: { invalidates: [queryKeys.paceCeiling(integration)] },
    onSuccess: (value) => {
      setError(null);
      setTyped(null);
      onToast(`Canopy sends each ${name} credential at most ${String(value)} requests a second.`);
    },
    onError: (caught: unknown) => { setError(toAppError(caught)); },
  });
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(Number(perSecond));
      }}
    >
      <label htmlFor={id}>{name}: at most (requests a second)</label>
      <input id={id} type="number" min={1} max={100} value={perSecond} {...errorFor(error, `${id}-error`)} onChange={(e) => { setTyped(e.target.value); }} />
      <button type="submit" disabled={save.isPending}>Save</button>
      {error && <ErrorNotice error={error} id={`${id}-error`} />}
    </form>
  );
}
