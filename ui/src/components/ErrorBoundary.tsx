import { Component, type ErrorInfo, type ReactNode } from "react";
import { commands } from "../commands";
import { toAppError } from "../ipc";

interface State {
  failed: { code: string; message: string } | null;
}

/**
 * Catches a render error anywhere below it: shows a recoverable screen ("Something went wrong —
 * Reload", with the error's code) instead of a blank window, and writes the error and its
 * component stack to the app log.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: null };

  static getDerivedStateFromError(error: unknown): State {
    const { code, message } = toAppError(error);
    return { failed: { code, message } };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    void commands.logUiError(toAppError(error).message, info.componentStack ?? "").catch(() => {
      // The log is out of reach too: the screen below still says what to do.
    });
  }

  override render() {
    const { failed } = this.state;
    if (!failed) return this.props.children;
    return (
      <div className="crash" role="alert">
        <h1>Something went wrong</h1>
        <p>
          Canopy hit an error it did not expect while drawing this screen. Your data is safe: nothing was being saved. The
          error is written to the app log.
        </p>
        <p className="muted small">Error code: {failed.code}</p>
        <button type="button" className="primary" onClick={() => { window.location.reload(); }}>
          Reload
        </button>
      </div>
    );
  }
}
