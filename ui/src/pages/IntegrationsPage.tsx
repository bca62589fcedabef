import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import type { AppStatus, Credential, IntegrationStatus } from "../bindings";
import { PosabitCard, STATE_LABELS } from "./PosabitCard";

interface Tile {
  id: "posabit" | "greenbits";
  name: string;
  blurb: string;
  available: boolean;
}

const TILES: Tile[] = [
  { id: "posabit", name: "POSaBIT", blurb: "Shoppers, sales and loyalty points from POSaBIT.", available: true },
  { id: "greenbits", name: "Greenbits", blurb: "Customers, patients and orders from Greenbits.", available: false },
];

/** The Integrations page: a searchable list of POS tiles; a tile opens its integration card. */
export function IntegrationsPage(props: { status: AppStatus | null; onToast: (m: string) => void; onShowPersonas: () => void }) {
  const [search, setSearch] = useState("");
  const [open, setOpen] = useState<Tile["id"] | null>(null);
  const [credentials, setCredentials] = useState<Credential[]>([]);
  const [connection, setConnection] = useState<IntegrationStatus | null>(null);

  const reload = useCallback(() => {
    void api.listCredentials("posabit").then(setCredentials, () => {
      setCredentials([]);
    });
    void api.integrationStatus("posabit").then(setConnection, () => {
      setConnection(null);
    });
  }, []);
  useEffect(reload, [reload]);

  if (open === "posabit") {
    return (
      <PosabitCard
        status={props.status}
        connection={connection}
        credentials={credentials}
        onChanged={reload}
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
          const state = !tile.available ? "Coming soon" : STATE_LABELS[connection?.state ?? "not_connected"];
          const stateClass = tile.available ? `chip chip-state-${connection?.state ?? "not_connected"}` : "chip";
          return (
            <button
              type="button"
              key={tile.id}
              className="tile"
              disabled={!tile.available}
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
              <span className={stateClass} data-testid={`tile-${tile.id}-state`}>
                {state}
              </span>
            </button>
          );
        })}
        {shown.length === 0 && <p className="empty">No integration matches “{search}”. Try POSaBIT or Greenbits.</p>}
      </div>
    </section>
  );
}
