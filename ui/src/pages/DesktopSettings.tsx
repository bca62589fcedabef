import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import { toAppError } from "../ipc";
import type { DesktopPreferences } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/** Settings → Desktop: keep syncing in the tray when the window closes; start at login. */
export function DesktopSettings({ onToast }: { onToast: (message: string) => void }) {
  const queryClient = useQueryClient();
  const preferences = useQuery({ queryKey: queryKeys.desktopPreferences, queryFn: api.desktopPreferences }).data;
  const save = useMutation({
    mutationFn: api.saveDesktopPreferences,
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.desktopPreferences, saved);
      onToast("Desktop preferences saved.");
    },
  });
  const error = save.error ? toAppError(save.error) : null;
  if (!preferences) return null;
  const change = (next: DesktopPreferences) => { save.mutate(next); };

  return (
    <div className="card" aria-labelledby="desktop-heading">
      <h2 id="desktop-heading">Desktop</h2>
      <label className="checkbox">
        <input
          type="checkbox"
          name="keep_running_in_tray"
          checked={preferences.keep_running_in_tray}
          onChange={(e) => {
            change({ ...preferences, keep_running_in_tray: e.target.checked });
          }}
        />
        <span>
          Keep syncing in the tray when the window is closed
          <span className="muted small block">The tray icon opens Canopy, syncs now, pauses syncing or quits.</span>
        </span>
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          name="start_at_login"
          checked={preferences.start_at_login}
          onChange={(e) => {
            change({ ...preferences, start_at_login: e.target.checked });
          }}
        />
        <span>Start Canopy when I log in</span>
      </label>
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
