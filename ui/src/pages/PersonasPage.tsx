import { useEffect, useState } from "react";
import { api } from "../api";
import type { AppError, PersonaPage } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { SourceChip } from "../components/SourceChip";
import { formatDateTime, formatPhone, fullName } from "../format";

/** Rows per page of the table. */
export const PAGE_SIZE = 50;

/** The Personas page: search and a paged table with each persona's "Sourced from" chips. */
export function PersonasPage() {
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<PersonaPage | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      api.listPersonas({ search: search.trim() === "" ? null : search, offset, limit: PAGE_SIZE }).then(
        (p) => {
          if (current) {
            setPage(p);
            setError(null);
          }
        },
        (e: unknown) => {
          if (current) setError(e as AppError);
        },
      );
    }, 120);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [search, offset]);

  const total = page?.total ?? 0;
  const last = Math.min(offset + PAGE_SIZE, total);
  return (
    <section aria-label="Personas">
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search personas</span>
          <input
            type="search"
            placeholder="Search by phone, email or name"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setOffset(0);
            }}
          />
        </label>
        <span className="muted" data-testid="persona-count">
          {page ? (total === 0 ? "0 personas" : `${(offset + 1).toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()} personas`) : "Loading…"}
        </span>
      </div>
      {error && <ErrorNotice error={error} title="Personas could not be loaded" />}
      {page && page.rows.length === 0 && !error && (
        <p className="empty">
          {search.trim() === "" ? "No personas yet — connect an integration and press Sync now." : `No persona matches “${search}”.`}
        </p>
      )}
      {page && page.rows.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="personas">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Phone</th>
                <th scope="col">Email</th>
                <th scope="col">Favorite store</th>
                <th scope="col">Sourced from</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((p) => (
                <tr key={p.id}>
                  <td>{fullName(p.first_name, p.last_name)}</td>
                  <td className="nowrap">{formatPhone(p.phone)}</td>
                  <td>{p.email ?? ""}</td>
                  <td>{p.favorite_store ?? <span className="muted">—</span>}</td>
                  <td data-testid="sourced-from">
                    {p.sourced_from.map((s) => (
                      <SourceChip key={s} source={s} />
                    ))}
                  </td>
                  <td className="nowrap" title={p.created_at}>
                    {formatDateTime(p.created_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > PAGE_SIZE && (
        <div className="pager">
          <button type="button" className="secondary" disabled={offset === 0} onClick={() => { setOffset(Math.max(0, offset - PAGE_SIZE)); }}>
            ← Previous
          </button>
          <button type="button" className="secondary" disabled={last >= total} onClick={() => { setOffset(offset + PAGE_SIZE); }}>
            Next →
          </button>
        </div>
      )}
    </section>
  );
}
