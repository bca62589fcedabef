import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { queryKeys } from "../queries";
import type { AppStatus, Credential, IntegrationStatus } from "../bindings";
import { STATE_LABELS } from "../cards/IntegrationFrame";
import { GreenbitsCard } from "../cards/GreenbitsCard";
import { PosabitCard } from "../cards/PosabitCard";

interface Tile {
  id: "posabit" | "greenbits";
  name: string;
  blurb: string;
}

const TILES: Tile[] = [
  { id: "posabit", name: "POSaBIT", blurb: "Shoppers, sales and loyalty points from POSaBIT." },
  { id: "greenbits", name: "Greenbits", blurb: "Customers, patients and orders from Greenbits." },
];

/** The Integrations page: a searchable list of POS tiles; a tile opens its integration card. */
export function IntegrationsPage(props: { status: AppStatus | null; onToast: (m: string) => void; onShowPersonas: () => void }) {
  const [search, setSearch] = useState("");
  const [open, setOpen] = useState<Tile["id"] | null>(null);
  const posabitCredentials = useQuery({ queryKey: queryKeys.credentials("posabit"), queryFn: () => api.listCredentials("posabit") });
  const greenbitsCredentials = useQuery({ queryKey: queryKeys.credentials("greenbits"), queryFn: () => api.listCredentials("greenbits") });
  const posabitStatus = useQuery({ queryKey: queryKeys.integrationStatus("posabit"), queryFn: () => api.integrationStatus("posabit") });
  const greenbitsStatus = useQuery({ queryKey: queryKeys.integrationStatus("greenbits"), queryFn: () => api.integrationStatus("greenbits") });
  const credentials: Record<Tile["id"], Credential[]> = { posabit: posabitCredentials.data ?? [], greenbits: greenbitsCredentials.data ?? [] };
  const connection: Record<Tile["id"], IntegrationStatus | null> = { posabit: posabitStatus.data ?? null, greenbits: greenbitsStatus.data ?? null };
  if (open === "posabit") {
    return (
      <PosabitCard
        status={props.status}
        connection={connection.posabit}
        credentials={credentials.posabit}
        onToast={props.onToast}
        onClose={() => {
          setOpen(null);
        }}
        onShowPersonas={props.onShowPersonas}
      />
    );
  }

  if (open === "greenbits") {
    return (
      <GreenbitsCard
        connection={connection.greenbits}
        credentials={credentials.greenbits}
        onToast={props.onToast}
        onClose={() => {
          setOpen(null);
        }}
        onShowPersonas={props.onShowPersonas}
      />
    );
  }

  const shown = TILES.filter((t) => t.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <section aria-labelledby="integrations-heading">
      <h2 id="integrations-heading" className="visually-hidden">
        Integrations
      </h2>
      <label className="search">
        <span className="visually-hidden">Search integrations</span>
        <input
          type="search"
          placeholder="Search for POSaBIT and click on it to open the integration card"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
          }}
        />
      </label>
      <div className="tiles">
        {shown.map((tile) => {
          const state = connection[tile.id]?.state ?? "not_connected";
          return (
            <button
              type="button"
              key={tile.id}
              className="tile"
              data-testid={`tile-${tile.id}`}
              onClick={() => {
                setOpen(tile.id);
              }}
            >
              <span className={`logo logo-${tile.id}`} aria-hidden="true">
                {tile.name.slice(0, 1)}
              </span>
              <span className="tile-text">
                <span className="tile-name">{tile.name}</span>
                <span className="tile-blurb">{tile.blurb}</span>
              </span>
              <span className={`chip chip-state-${state}`} data-testid={`tile-${tile.id}-state`}>
                {STATE_LABELS[state]}
              </span>
            </button>
          );
        })}
        {shown.length === 0 && <p className="empty">No integration matches “{search}”. Try POSaBIT or Greenbits.</p>}
      </div>
    </section>
  );
}
