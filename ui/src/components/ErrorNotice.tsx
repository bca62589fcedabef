import type { AppError } from "../bindings";
import { useMask } from "../presenter";

/** An error the way the UI guide asks: what happened, what to do, the technical code behind a disclosure. */
export function ErrorNotice({ error, title }: { error: AppError; title?: string }) {
  const mask = useMask();
  return (
    <div className="notice notice-error" role="alert">
      {title && <strong className="notice-title">{title}</strong>}
      <p className="notice-message">{mask.text(error.message)}</p>
      {error.hint && <p className="notice-hint">{mask.text(error.hint)}</p>}
      <details className="notice-details">
        <summary>Technical detail</summary>
        <code>{error.code}</code>
      </details>
    </div>
  );
}
