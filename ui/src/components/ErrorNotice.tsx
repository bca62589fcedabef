import type { AppError } from "../bindings";
import { useMask } from "../presenter";

/**
 * The attributes that tie a form field to the error shown for it (`ErrorNotice` with the same
 * `id`): a screen reader reads the error with the field, and the field is marked invalid.
 */
export function errorFor(error: AppError | null, id: string): { "aria-invalid"?: true; "aria-describedby"?: string } {
  return error ? { "aria-invalid": true, "aria-describedby": id } : {};
}

/** An error the way the UI guide asks: what happened, what to do, the technical code behind a disclosure. */
export function ErrorNotice({ error, title, id }: { error: AppError; title?: string; id?: string }) {
  const mask = useMask();
  return (
    <div className="notice notice-error" role="alert" id={id}>
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
