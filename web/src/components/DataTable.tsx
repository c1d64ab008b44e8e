import type { ReactNode } from "react";

export type Column = string | { label: string; className?: string };

/// A list as a table: its column headings (and an unlabelled actions column at the end when
/// `actions`), the rows as children, scrolling sideways in its own box on a narrow screen.
/// `columns` may hold false/""/null for a column left out (`{!projectId && "Project"}`).
export function DataTable({
  columns,
  actions = false,
  busy,
  children,
}: {
  columns: (Column | false | "" | null | undefined)[];
  actions?: boolean;
  busy?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="table" aria-busy={busy}>
        <thead>
          <tr>
            {columns.filter((column): column is Column => Boolean(column)).map((column) => {
              const { label, className } = typeof column === "string" ? { label: column, className: undefined } : column;
              return (
                <th key={label} scope="col" className={className}>
                  {label}
                </th>
              );
            })}
            {actions && (
              <th scope="col" className="actions">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
