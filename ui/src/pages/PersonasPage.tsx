import { useEffect, useRef, useState } from "react";
import { keepPreviousData, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { toAppError } from "../ipc";
import { queryKeys } from "../queries";
import type { AppError, ExportProgress, PersonaPage, PersonaQuery, PersonaRow, PersonaSort, PersonaSource, SmsConsent } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { SourceChip } from "../components/SourceChip";
import { formatDateTime, formatPhone, fullName, smsLabel } from "../format";
import { useMask } from "../presenter";
import { ImportButton } from "./ImportButton";
import { PersonaDetailPanel } from "./PersonaDetailPanel";
import { SignupForm } from "./SignupForm";
import { isMember, membersOf, PERSONA_SOURCE_LABELS, SMS_CONSENT_LABELS } from "../labels";

/** Rows fetched per request; the table asks for the blocks its viewport shows. */
export const BLOCK = 100;
/** Every row is this tall, so the viewport knows which rows it shows without measuring. */
export const ROW_HEIGHT = 37;
/** Rows drawn above and below the viewport, so scrolling never shows a gap. */
const OVERSCAN = 10;

/** The filters and sort the toolbar sets. */
interface Filters {
  search: string;
  source: PersonaSource | "";
  storeId: string;
  member: string;
  emailOptIn: string;
  sms: SmsConsent | "";
  sort: PersonaSort;
  descending: boolean;
}

const NO_FILTERS: Filters = { search: "", source: "", storeId: "", member: "", emailOptIn: "", sms: "", sort: "name", descending: false };

function yesNo(value: string): boolean | undefined {
  return value === "" ? undefined : value === "yes";
}

/** The backend query for the filters, from `offset`. */
export function toQuery(filters: Filters, offset: number): PersonaQuery {
  return {
    search: filters.search.trim() === "" ? undefined : filters.search,
    source: filters.source === "" ? undefined : filters.source,
    store_id: filters.storeId === "" ? undefined : Number(filters.storeId),
    member: yesNo(filters.member),
    email_opt_in: yesNo(filters.emailOptIn),
    sms_consent: filters.sms === "" ? undefined : filters.sms,
    sort: filters.sort,
    descending: filters.descending,
    offset,
    limit: BLOCK,
  };
}

/** The blocks of `BLOCK` rows that rows `first` to `last` fall in (at least the first block). */
export function blocksFor(first: number, last: number): number[] {
  const start = Math.floor(first / BLOCK);
  const blocks = [start];
  for (let block = start + 1; block * BLOCK < last; block += 1) blocks.push(block);
  return blocks;
}

/**
 * The rows of a query, fetched a block at a time as the viewport needs them (paging and sorting
 * happen in SQLite), each block a cached query keyed by the filters and its offset: an answer to an
 * old query can only fill that query's cache. While a new query's blocks load, the previous
 * answers stay on screen; a finished sync refreshes them.
 */
function usePersonaBlocks(filters: Filters, first: number, last: number) {
  const client = useQueryClient();
  const wanted = blocksFor(first, last);
  const keyOf = (block: number) => [...queryKeys.personas, "block", toQuery(filters, block * BLOCK)];
  return useQueries({
    queries: wanted.map((block) => {
      const query = toQuery(filters, block * BLOCK);
      return {
        queryKey: keyOf(block),
        // Scrolling on from a block already read continues after its last row (by the sort's
        // index); a jump further down reads by offset.
        queryFn: () => {
          const previous = block > 0 ? client.getQueryData<PersonaPage>(keyOf(block - 1)) : undefined;
          return api.listPersonas(previous?.next ? { ...query, after: previous.next } : query);
        },
        placeholderData: keepPreviousData,
      };
    }),
    combine: (results) => {
      const blocks: Record<number, PersonaRow[]> = {};
      let answer: PersonaPage | undefined;
      wanted.forEach((block, index) => {
        const data = results[index]?.data;
        if (!data) return;
        blocks[block] = data.rows;
        answer ??= data;
      });
      const failure = results.find((result) => result.error)?.error;
      return {
        blocks,
        total: answer?.total ?? null,
        capped: answer?.total_capped ?? false,
        error: failure ? toAppError(failure) : null,
      };
    },
  });
}

/** Export CSV: the current search, filters and sort, streamed to a file the user picks, with progress. */
function ExportButton({ filters, onToast }: { filters: Filters; onToast?: (message: string) => void }) {
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const exportCsv = async () => {
    setError(null);
    const path = await api.pickSavePath("personas.csv");
    if (path === null) return;
    setProgress({ done: 0, total: 0 });
    try {
      const rows = await api.exportPersonas({ ...toQuery(filters, 0), limit: 0 }, path, setProgress);
      onToast?.(`Exported ${rows.toLocaleString()} personas to ${path}.`);
    } catch (caught) {
      setError(toAppError(caught));
    } finally {
      setProgress(null);
    }
  };
  return (
    <>
      {progress && (
        <span className="export-progress" data-testid="export-progress">
          <progress max={progress.total || 1} value={progress.done} aria-label="Export progress" />
          {progress.done.toLocaleString()} / {progress.total.toLocaleString()}
        </span>
      )}
      <button type="button" disabled={progress !== null} onClick={() => void exportCsv()}>Export CSV</button>
      {error && <ErrorNotice error={error} title="Export did not finish" />}
    </>
  );
}

/** A sortable column header. */
function SortHeader({ label, sort, filters, onSort }: { label: string; sort: PersonaSort; filters: Filters; onSort: (sort: PersonaSort) => void }) {
  const active = filters.sort === sort;
  return (
    <th scope="col" aria-sort={active ? (filters.descending ? "descending" : "ascending") : "none"}>
      <button type="button" className="sort" onClick={() => { onSort(sort); }}>
        {label}
        <span aria-hidden="true">{active ? (filters.descending ? " ▼" : " ▲") : ""}</span>
      </button>
    </th>
  );
}

/** The Personas page: search, filters, a virtualised table of every persona, its detail, signups. */
export function PersonasPage({ onToast }: { onToast?: (message: string) => void }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [selected, setSelected] = useState<number | null>(null);
  const [signingUp, setSigningUp] = useState(false);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(600);
  const viewport = useRef<HTMLDivElement>(null);
  const [total, setTotal] = useState<number | null>(null);
  const count = total ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / ROW_HEIGHT) + OVERSCAN);
  const { blocks, total: answered, capped, error } = usePersonaBlocks(filters, first, last);
  // The row count sizes the table, and the table's size picks the blocks to read.
  if (answered !== null && answered !== total) setTotal(answered);
  const mask = useMask();
  // The store filter stays empty if the stores cannot be read.
  const stores = useQuery({ queryKey: queryKeys.stores, queryFn: api.listStores }).data ?? [];
  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    setViewportHeight(element.clientHeight || 600);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => { setViewportHeight(element.clientHeight); });
    observer.observe(element);
    return () => { observer.disconnect(); };
  }, [total]);
  useEffect(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, [filters]);

  const visible: { index: number; row: PersonaRow | undefined }[] = [];
  for (let index = first; index < last; index += 1) {
    visible.push({ index, row: blocks[Math.floor(index / BLOCK)]?.[index % BLOCK] });
  }
  const set = (change: Partial<Filters>) => { setFilters((current) => ({ ...current, ...change })); };
  const sortBy = (sort: PersonaSort) => {
    set({ sort, descending: filters.sort === sort ? !filters.descending : sort !== "name" });
  };
  const filtered = JSON.stringify({ ...filters, sort: "name", descending: false }) !== JSON.stringify(NO_FILTERS);

  return (
    <section aria-label="Personas" className="personas-page">
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search personas</span>
          <input
            type="search"
            name="persona_search"
            placeholder="Search by phone, email, name or POS id"
            value={filters.search}
            onChange={(e) => { set({ search: e.target.value }); }}
          />
        </label>
        <span className="muted" data-testid="persona-count">
          {total === null ? "Loading…" : `${count.toLocaleString()}${capped ? "+" : ""} ${count === 1 ? "persona" : "personas"}`}
        </span>
        <span className="spacer" />
        <ImportButton
          onImported={(message) => {
            onToast?.(message);
            setFilters((current) => ({ ...current }));
          }}
        />
        <ExportButton filters={filters} onToast={onToast} />
        <button type="button" onClick={() => { setSigningUp(true); }}>Add signup</button>
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Source
          <select value={filters.source} onChange={(e) => { set({ source: isMember(PERSONA_SOURCE_LABELS, e.target.value) ? e.target.value : "" }); }}>
            <option value="">Any</option>
            {membersOf(PERSONA_SOURCE_LABELS).map((source) => (
              <option key={source} value={source}>{PERSONA_SOURCE_LABELS[source]}</option>
            ))}
          </select>
        </label>
        <label>
          Favorite store
          <select value={filters.storeId} onChange={(e) => { set({ storeId: e.target.value }); }}>
            <option value="">Any</option>
            {stores.map((s) => (
              <option key={s.id} value={String(s.id)}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          Loyalty member
          <select value={filters.member} onChange={(e) => { set({ member: e.target.value }); }}>
            <option value="">Any</option>
            <option value="yes">Members</option>
            <option value="no">Not members</option>
          </select>
        </label>
        <label>
          SMS
          <select value={filters.sms} onChange={(e) => { set({ sms: isMember(SMS_CONSENT_LABELS, e.target.value) ? e.target.value : "" }); }}>
            <option value="">Any</option>
            {membersOf(SMS_CONSENT_LABELS).map((state) => (
              <option key={state} value={state}>{SMS_CONSENT_LABELS[state]}</option>
            ))}
          </select>
        </label>
        <label>
          Email opt-in
          <select value={filters.emailOptIn} onChange={(e) => { set({ emailOptIn: e.target.value }); }}>
            <option value="">Any</option>
            <option value="yes">Opted in</option>
            <option value="no">Not opted in</option>
          </select>
        </label>
        {filtered && (
          <button type="button" className="link" onClick={() => { setFilters({ ...NO_FILTERS, sort: filters.sort, descending: filters.descending }); }}>
            Clear filters
          </button>
        )}
      </div>
      {error && <ErrorNotice error={error} title="Personas could not be loaded" />}
      {total === 0 && !error && (
        <p className="empty">
          {filtered ? "No persona matches these filters." : "No personas yet — connect an integration and press Sync now."}
        </p>
      )}
      {count > 0 && (
        <div
          className="table-wrap virtual"
          ref={viewport}
          onScroll={(e) => { setScrollTop(e.currentTarget.scrollTop); }}
        >
          <table className="table" data-testid="personas" aria-rowcount={count}>
            <thead>
              <tr>
                <SortHeader label="Name" sort="name" filters={filters} onSort={sortBy} />
                <th scope="col">Phone</th>
                <th scope="col">Email</th>
                <th scope="col">Member</th>
                <SortHeader label="Points" sort="points" filters={filters} onSort={sortBy} />
                <th scope="col">SMS</th>
                <th scope="col">Email opt-in</th>
                <th scope="col">Favorite store</th>
                <th scope="col">Sourced from</th>
                <SortHeader label="Last purchase" sort="last_purchase" filters={filters} onSort={sortBy} />
                <SortHeader label="Created" sort="created" filters={filters} onSort={sortBy} />
              </tr>
            </thead>
            <tbody>
              <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }} />
              {visible.map(({ index, row }) =>
                row ? (
                  <tr
                    key={row.id}
                    className="persona-row"
                    data-testid="persona-row"
                    aria-rowindex={index + 2}
                    tabIndex={0}
                    onClick={() => { setSelected(row.id); }}
                    onKeyDown={(e) => { if (e.key === "Enter") setSelected(row.id); }}
                  >
                    <td>{fullName(row.first_name, row.last_name)}</td>
                    <td className="nowrap">{mask.phone(formatPhone(row.phone))}</td>
                    <td>{mask.email(row.email ?? "")}</td>
                    <td>{row.loyalty_member ? "Yes" : "—"}</td>
                    <td className="number">{row.points.toLocaleString()}</td>
                    <td className="nowrap">{smsLabel(row.sms_consent)}</td>
                    <td>{row.email_opt_in ? "Yes" : "—"}</td>
                    <td data-testid="favorite-store">{row.favorite_store ?? <span className="muted">—</span>}</td>
                    <td data-testid="sourced-from">
                      {row.sourced_from.map((s) => (
                        <SourceChip key={s} source={s} />
                      ))}
                    </td>
                    <td className="nowrap">{row.last_purchase_at ? formatDateTime(row.last_purchase_at) : "—"}</td>
                    <td className="nowrap" title={row.created_at}>{formatDateTime(row.created_at)}</td>
                  </tr>
                ) : (
                  <tr key={`loading-${String(index)}`} className="persona-row loading" aria-hidden="true">
                    <td colSpan={10} />
                  </tr>
                ),
              )}
              <tr aria-hidden="true" style={{ height: Math.max(0, count - last) * ROW_HEIGHT }} />
            </tbody>
          </table>
        </div>
      )}
      {selected !== null && (
        <PersonaDetailPanel
          id={selected}
          onClose={() => { setSelected(null); }}
          onToast={(message) => { onToast?.(message); }}
          onOpen={setSelected}
        />
      )}
      {signingUp && (
        <SignupForm
          stores={stores}
          onClose={() => { setSigningUp(false); }}
          onSignedUp={(id) => {
            setSigningUp(false);
            onToast?.("Signup saved.");
            setFilters((current) => ({ ...current }));
            setSelected(id);
          }}
        />
      )}
    </section>
  );
}
