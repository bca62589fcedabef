/** A "Sourced from" chip: the integration's colour and its name in lower case, as the seeds print it. */
export function SourceChip({ source }: { source: string }) {
  return <span className={`chip chip-source chip-${source}`}>{source}</span>;
}
