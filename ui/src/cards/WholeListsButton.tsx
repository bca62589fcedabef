import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api";
import { toAppError } from "../ipc";
import type { AppError, Integration } from "../bindings";
import { POS_NAMES } from "../labels";
import { ErrorNotice } from "../components/ErrorNotice";

/** What the button's press did, in a toast. */
export function describeWholeLists(integration: Integration, lists: number): string {
  const name = POS_NAMES[integration];
  return lists === 0
    ? `Nothing to read whole yet: the first sync of ${name} reads every list.`
    : `The next sync reads every ${name} list whole (${String(lists)} ${lists === 1 ? "list" : "lists"}).`;
}

/**
 * "Read every list on the next sync": a sync reads only what changed since the last one (and the
 * whole lists once a week); support asks for a whole read when a change made in the POS is missing.
 */
export function WholeListsButton({ integration, onToast }: { integration: Integration; onToast: (message: string) => void }) {
  const [error, setError] = useState<AppError | null>(null);
  const ask = useMutation({
    mutationFn: () => api.readWholeListsNextSync(integration),
    onSuccess: (lists) => { setError(null); onToast(describeWholeLists(integration, lists)); },
    onError: (e: unknown) => { setError(toAppError(e)); },
  });
  return (
    <div className="whole-lists">
      <button type="button" className="secondary small" disabled={ask.isPending} onClick={() => { ask.mutate(); }}>
        Read every list on the next sync
      </button>
      <p className="muted small">
        Syncs read only what changed in {POS_NAMES[integration]} since the last one, and every list once a week. If a
        change made in {POS_NAMES[integration]} is missing here, the next sync can read everything again.
      </p>
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
