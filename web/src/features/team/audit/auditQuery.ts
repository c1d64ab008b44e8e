// The audit log's filters live in the URL query, so a filtered view is a link to share.
// Only the filters berthd declares for GET /audit-log (and team_id on /admin/audit-log)
// exist here; an unknown query parameter is dropped rather than sent (berthd refuses it).

export interface AuditFilters {
  action: string;
  actor: string;
  q: string;
  team_id: string;
}

export const filterNames = ["action", "actor", "q", "team_id"] as const;

export const noFilters: AuditFilters = { action: "", actor: "", q: "", team_id: "" };

/// The filters and page a URL query describes (missing or blank ones are "").
export function filtersFromSearch(search: URLSearchParams): { filters: AuditFilters; page: number } {
  const filters = { ...noFilters };
  for (const name of filterNames) filters[name] = (search.get(name) ?? "").trim();
  const page = Math.max(1, Number.parseInt(search.get("page") ?? "1", 10) || 1);
  return { filters, page };
}

/// The URL query for filters and a page: blank filters and page 1 are left out, so the
/// plain view is a plain URL.
export function searchFromFilters(filters: AuditFilters, page = 1): URLSearchParams {
  const search = new URLSearchParams();
  for (const name of filterNames) {
    const value = filters[name].trim();
    if (value) search.set(name, value);
  }
  if (page > 1) search.set("page", String(page));
  return search;
}

/// The API's query for the team log (team_id is only for the instance-wide log).
export function teamApiQuery(filters: AuditFilters, page: number, perPage: number) {
  return {
    page,
    per_page: perPage,
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.q ? { q: filters.q } : {}),
  };
}

export function adminApiQuery(filters: AuditFilters, page: number, perPage: number) {
  return { ...teamApiQuery(filters, page, perPage), ...(filters.team_id ? { team_id: filters.team_id } : {}) };
}

export function hasFilters(filters: AuditFilters): boolean {
  return filterNames.some((name) => filters[name] !== "");
}
