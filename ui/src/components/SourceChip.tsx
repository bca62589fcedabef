import type { PersonaSource } from "../bindings";
import { PERSONA_SOURCE_LABELS } from "../labels";

/** A "Sourced from" chip: the integration's colour and its name in lower case, as the seeds print it. */
export function SourceChip({ source }: { source: PersonaSource }) {
  return <span className={`chip chip-source chip-${source}`}>{PERSONA_SOURCE_LABELS[source]}</span>;
}
