import type { Service } from "./types";

/// The API's warnings about a service (a published port), above its page.
export function ServiceWarnings({ service }: { service: Service }) {
  const warnings = service.warnings ?? [];
  if (warnings.length === 0) return null;
  return (
    <div className="notice" role="note" aria-label="Warnings">
      {warnings.map((w) => (
        <p key={w}>
          <strong>Warning:</strong> {w}
        </p>
      ))}
    </div>
  );
}
