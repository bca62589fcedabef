import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { NOTIFICATION_FIX as FIX, type Page } from "../navigation";
import { useMask } from "../presenter";
import { queryKeys } from "../queries";

/**
 * The top bar's notifications bell: a count, and a panel with each notification and its fix. Its
 * query is refreshed by the backend's events (a sync finished) and by every change that can raise
 * or clear one (mutations naming it, the shell after an action's toast).
 */
export function NotificationBell({ onNavigate }: { onNavigate: (page: Page) => void }) {
  const [open, setOpen] = useState(false);
  const mask = useMask();
  // On a failed read the bell keeps what it had; the next invalidation asks again.
  const notifications = useQuery({ queryKey: queryKeys.notifications, queryFn: api.listNotifications }).data ?? [];

  const count = notifications.length;
  return (
    <div className="bell">
      <button
        type="button"
        className="bell-button"
        aria-expanded={open}
        aria-label={`Notifications: ${count}`}
        data-testid="notifications-bell"
        onClick={() => { setOpen(!open); }}
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {count > 0 && <span className="bell-count">{count}</span>}
      </button>
      {open && (
        <div className="bell-panel" role="region" aria-label="Notifications">
          {count === 0 && <p className="muted">Nothing needs your attention.</p>}
          {notifications.map((n) => (
            <div key={n.id} className="bell-item" data-testid="notification">
              <strong>{mask.text(n.title)}</strong>
              <p>{mask.text(n.body)}</p>
              <button
                type="button"
                className="link"
                onClick={() => {
                  setOpen(false);
                  onNavigate(FIX[n.kind].page);
                }}
              >
                {FIX[n.kind].label} →
              </button>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
