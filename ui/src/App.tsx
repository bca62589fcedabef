import { useCallback, useEffect, useState } from "react";
import { useIsFetching, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./api";
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
import { invalidationsFor, queryKeys } from "./queries";


/**
 * The shell: left navigation, top bar with the page title and the mode's badge (sandbox or your
 * POS), the current page; before a mode is chosen, the first-start choice instead.
 */
export function App() {
  const [page, setPage] = useState<Page>("integrations");
  // Each press of a navigation item opens its page afresh: "Integrations" from inside a card goes
  // back to the list of integrations.
  const [visit, setVisit] = useState(0);
  const [toast, setToast] = useState<string | null>(null);
  const queryClient = useQueryClient();
  // The page is busy (to assistive technology and to tests) while any of its reads is in flight.
  const fetching = useIsFetching();
  const status = useQuery({ queryKey: queryKeys.appStatus, queryFn: api.appStatus }).data ?? null;
  // Masked from the first frame: until the backend says presenter mode is off, it is on.
  const presenter = useQuery({ queryKey: queryKeys.presenterMode, queryFn: api.presenterMode }).data ?? true;
  const presenterMutation = useMutation({
    mutationFn: api.setPresenterMode,
    onSuccess: (on) => { queryClient.setQueryData(queryKeys.presenterMode, on); },
  });
  const { mutate: setPresenterMode } = presenterMutation;
  const togglePresenter = useCallback(() => { setPresenterMode(!presenter); }, [presenter, setPresenterMode]);
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

  useEffect(() => {
    let active = true;
    const unlisten = api.onConsoleEvent((event) => {
      // A click on a desktop notification opens the page with its fix.
      if (event.type === "notification_opened") setPage(NOTIFICATION_FIX[event.kind].page);
      for (const queryKey of invalidationsFor(event)) void queryClient.invalidateQueries({ queryKey });
    });
    // Once listening, read the status again: the keychain probe may have answered before.
    void unlisten.then(() => {
      if (active) void queryClient.invalidateQueries({ queryKey: queryKeys.appStatus });
    });
    return () => {
      active = false;
      void unlisten.then((stop) => { stop(); });
    };
  }, [queryClient]);

  // Every action that finishes says so in a toast; what it changed may raise or clear a
  // notification and is audited, so the bell and the audit log read again.
  const showToast = useCallback(
    (message: string | null) => {
      setToast(message);
      for (const queryKey of [queryKeys.notifications, queryKeys.auditLog]) void queryClient.invalidateQueries({ queryKey });
    },
    [queryClient],
  );

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
                  setVisit((v) => v + 1);
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
          <NotificationBell onNavigate={setPage} />
        </header>
        {status?.keychain_error && (
          <div className="notice notice-error banner" role="alert">
            <p className="notice-message">{status.keychain_error.message}</p>
            {status.keychain_error.hint && <p className="notice-hint">{status.keychain_error.hint}</p>}
          </div>
        )}
        <main className="content" key={visit} aria-busy={fetching > 0}>
          {page === "integrations" && (
            <IntegrationsPage
              status={status}
              onToast={showToast}
              onShowPersonas={() => {
                setPage("personas");
              }}
            />
          )}
          {page === "personas" && <PersonasPage onToast={showToast} />}
          {page === "loyalty" && <RewardsPage onToast={showToast} />}
          {page === "sync" && <SyncPage onToast={showToast} />}
          {page === "settings" && <SettingsPage status={status} onToast={showToast} />}
        </main>
      </div>
      {toast && <Toast message={presenter ? maskText(toast) : toast} onDone={clearToast} />}
    </div>
    </PresenterContext.Provider>
  );
}
