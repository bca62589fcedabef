import { useCallback, useEffect, useState } from "react";
import { api } from "./api";
import type { AppStatus } from "./bindings";
import { IntegrationsPage } from "./pages/IntegrationsPage";
import { PersonasPage } from "./pages/PersonasPage";
import { RewardsPage } from "./pages/RewardsPage";
import { FirstStart } from "./pages/FirstStart";
import { SettingsPage } from "./pages/SettingsPage";
import { SyncPage } from "./pages/SyncPage";
import { NotificationBell } from "./components/NotificationBell";
import { Toast } from "./components/Toast";
import { CONSOLE_MODE_LABELS } from "./labels";
import { NOTIFICATION_FIX, PAGES, type Page } from "./navigation";
import { maskText, PresenterContext } from "./presenter";


/**
 * The shell: left navigation, top bar with the page title and the mode's badge (sandbox or your
 * POS), the current page; before a mode is chosen, the first-start choice instead.
 */
export function App() {
  const [page, setPage] = useState<Page>("integrations");
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [presenter, setPresenter] = useState(false);
  useEffect(() => {
    api.presenterMode().then(setPresenter, () => { /* off until the backend answers */ });
  }, []);
  const togglePresenter = useCallback(() => {
    setPresenter((current) => {
      void api.setPresenterMode(!current);
      return !current;
    });
  }, []);
  useEffect(() => {
    // Ctrl+Shift+P toggles presenter mode; while it is on, copied text is masked too.
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey && event.shiftKey && event.key.toLowerCase() === "p") {
        event.preventDefault();
        togglePresenter();
      }
    };
    const onCopy = (event: ClipboardEvent) => {
      if (!presenter || !event.clipboardData) return;
      event.clipboardData.setData("text/plain", maskText(window.getSelection()?.toString() ?? ""));
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    return () => {
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
    };
  }, [presenter, togglePresenter]);
  // Bumped by every background event (a scheduled or manual sync finished), so views reload.
  const [events, setEvents] = useState(0);

  useEffect(() => {
    const unlisten = api.onConsoleEvent((event) => {
      // A click on a desktop notification opens the page with its fix.
      if (event.type === "notification_opened") setPage(NOTIFICATION_FIX[event.kind].page);
      else setEvents((n) => n + 1);
    });
    return () => {
      void unlisten.then((stop) => { stop(); });
    };
  }, []);

  useEffect(() => {
    let stop = false;
    // The keychain probe runs in the background at start-up: ask again until it has answered.
    const load = (attempt: number) => {
      void api.appStatus().then((s) => {
        if (stop) return;
        setStatus(s);
        if (attempt < 5) window.setTimeout(() => { load(attempt + 1); }, 800);
      });
    };
    load(0);
    return () => {
      stop = true;
    };
  }, []);

  const clearToast = useCallback(() => {
    setToast(null);
  }, []);
  const title = PAGES.find((p) => p.id === page)?.label ?? "";
  if (status && status.mode === null) return <FirstStart />;

  return (
    <PresenterContext.Provider value={presenter}>
    <div className={presenter ? "shell presenter" : "shell"}>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">C</span>
          <span className="brand-name">Canopy</span>
        </div>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className={p.id === page ? "nav-item active" : "nav-item"}
                aria-current={p.id === page ? "page" : undefined}
                onClick={() => {
                  setPage(p.id);
                }}
              >
                {p.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main">
        <header className="topbar">
          <h1>{title}</h1>
          {status?.mode === "sandbox" && (
            <span className="badge badge-sandbox" title="Simulated POS servers on this computer; no real shopper data">
              {CONSOLE_MODE_LABELS.sandbox}
            </span>
          )}
          {status?.mode === "real" && (
            <span className="badge badge-real" title={`Your real POS and shoppers (POSaBIT at ${status.posabit_url})`}>
              {CONSOLE_MODE_LABELS.real}
            </span>
          )}
          <span className="spacer" />
          <button
            type="button"
            className={presenter ? "presenter-toggle on" : "presenter-toggle"}
            aria-pressed={presenter}
            title="Presenter mode masks phones, e-mails, birth dates and keys for screen-sharing (Ctrl+Shift+P)"
            onClick={togglePresenter}
          >
            {presenter ? "Presenter mode on" : "Presenter mode"}
          </button>
          <NotificationBell onNavigate={setPage} changed={`${String(events)}:${toast ?? ""}`} />
        </header>
        {status?.keychain_error && (
          <div className="notice notice-error banner" role="alert">
            <p className="notice-message">{status.keychain_error.message}</p>
            {status.keychain_error.hint && <p className="notice-hint">{status.keychain_error.hint}</p>}
          </div>
        )}
        <main className="content">
          {page === "integrations" && (
            <IntegrationsPage
              status={status}
              onToast={setToast}
              onShowPersonas={() => {
                setPage("personas");
              }}
            />
          )}
          {page === "personas" && <PersonasPage onToast={setToast} />}
          {page === "loyalty" && <RewardsPage onToast={setToast} changed={events} />}
          {page === "sync" && <SyncPage onToast={setToast} changed={events} />}
          {page === "settings" && <SettingsPage status={status} onToast={setToast} />}
        </main>
      </div>
      {toast && <Toast message={presenter ? maskText(toast) : toast} onDone={clearToast} />}
    </div>
    </PresenterContext.Provider>
  );
}
