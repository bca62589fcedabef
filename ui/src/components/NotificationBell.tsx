import { useEffect, useState } from "react";
import { api } from "../api";
import type { Notification } from "../bindings";
import { NOTIFICATION_FIX as FIX, type Page } from "../navigation";
import { useMask } from "../presenter";

/** How often the bell asks again anyway (a local query), for changes no event announced. */
const POLL_MS = 15000;

/**
 * The top bar's notifications bell: a count, and a panel with each notification and its fix.
 * It asks again at once whenever `changed` changes (the shell passes a counter of background
 * events — a sync finished — and its latest toast, which every finished action raises), and polls
 * slowly for anything else.
 */
export function NotificationBell({ onNavigate, changed }: { onNavigate: (page: Page) => void; changed: unknown }) {
  const [notifications, setNotifications] = useState<Notification[]>([]);
  const [open, setOpen] = useState(false);
  const mask = useMask();

  useEffect(() => {
    let stop = false;
    const load = () => {
      api.listNotifications().then(
        (list) => { if (!stop) setNotifications(list); },
        () => { /* the bell keeps what it had; the next poll tries again */ },
      );
    };
    load();
    const timer = window.setInterval(load, POLL_MS);
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, [changed]);

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
