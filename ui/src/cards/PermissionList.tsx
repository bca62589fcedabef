import type { PermissionCheck } from "../bindings";

/** The permission pre-flight: a ✓ or ✗ per permission, with the remedy under each ✗. */
export function PermissionList({ permissions, testId }: { permissions: PermissionCheck[]; testId?: string }) {
  return (
    <ul className="checklist" data-testid={testId}>
      {permissions.map((p) => (
        <li key={p.key} className={p.granted ? "granted" : "missing"}>
          <span aria-hidden="true">{p.granted ? "✓" : "✗"}</span> {p.label}
          <span className="visually-hidden">{p.granted ? " granted" : " missing"}</span>
          {p.remedy && <div className="remedy">{p.remedy}</div>}
        </li>
      ))}
    </ul>
  );
}
