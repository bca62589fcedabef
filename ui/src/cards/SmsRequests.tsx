import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Integration, SmsRun } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/** What a run of the job did, in one sentence. */
export function describeRun(run: SmsRun): string {
  const parts = [`${String(run.requested)} opt-in request${run.requested === 1 ? "" : "s"} sent`];
  if (run.answered > 0) parts.push(`${String(run.answered)} answer${run.answered === 1 ? "" : "s"} sent`);
  if (run.waiting_for_window > 0) parts.push(`${String(run.waiting_for_window)} wait for the shopper's local hours`);
  if (run.waiting_for_cap > 0) parts.push(`${String(run.waiting_for_cap)} wait for their state's daily limit`);
  if (run.no_place > 0) parts.push(`${String(run.no_place)} wait: where the shopper is is unknown (map their store)`);
  if (run.replies > 0) parts.push(`${String(run.replies)} repl${run.replies === 1 ? "y" : "ies"} read`);
  if (run.held_for_review > 0) parts.push(`${String(run.held_for_review)} held for review`);
  if (run.given_up > 0) parts.push(`${String(run.given_up)} given up after three refusals`);
  return `${parts.join("; ")}.`;
}

/**
 * Under the SMS double opt-in setting: how its requests stand (sent, awaiting a reply, opted in,
 * opted out, failed) and a button that runs the job now instead of waiting for the schedule.
 */
export function SmsRequests({ integration, onMessage }: { integration: Integration; onMessage: (message: string) => void }) {
  const queryClient = useQueryClient();
  const statusKey = queryKeys.smsStatus(integration);
  const query = useQuery({ queryKey: statusKey, queryFn: () => api.smsStatus(integration) });
  const status = query.data ?? null;
  const load = () => { void queryClient.invalidateQueries({ queryKey: statusKey }); };
  const [runError, setError] = useState<AppError | null>(null);
  const error = runError ?? (query.error ? toAppError(query.error) : null);
  const [busy, setBusy] = useState(false);

  const sendNow = () => {
    setBusy(true);
    setError(null);
    api
      .sendSmsOptInsNow()
      .then(
        (run) => {
          onMessage(describeRun(run));
          if (run.error) setError(run.error);
          load();
        },
        (caught: unknown) => { setError(toAppError(caught)); },
      )
      .finally(() => { setBusy(false); });
  };

  return (
    <div className="sms-requests" data-testid={`sms-requests-${integration}`}>
      {status && (
        <span className="muted small">
          Requests sent: {status.sent.toLocaleString()} · awaiting a reply {status.awaiting_reply.toLocaleString()} · opted in{" "}
          {status.opted_in.toLocaleString()} · opted out {status.opted_out.toLocaleString()}
          {status.failed > 0 ? ` · refused ${status.failed.toLocaleString()} (each tried up to three times)` : ""}
        </span>
      )}
      <button type="button" className="secondary small" disabled={busy} onClick={sendNow}>
        {busy ? "Sending…" : "Send now"}
      </button>
      {error && <ErrorNotice error={error} title="Some texts were not sent" />}
    </div>
  );
}
