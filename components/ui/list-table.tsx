import type { ReactNode } from "react";

/**
 * A list as a table in its own scrollable, focusable region (so a phone scrolls it, not the page): its columns'
 * headers (an empty name is an actions column, named for screen readers), and a line that says so when empty.
 */
export function ListTable({
  label,
  columns,
  empty,
  children,
}: {
  label: string;
  columns: string[];
  empty: ReactNode | false;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`${label}, scrollable`}>
      <table className="data-table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c || "actions"} scope="col">
                {c || <span className="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty !== false && (
            <tr>
              <td colSpan={columns.length} className="muted">
                {empty}
              </td>
            </tr>
          )}
          {children}
        </tbody>
      </table>
    </div>
  );
}
