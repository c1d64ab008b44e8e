// Row types of the lists this area shows, taken from the generated schema.
import type { paths } from "../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Rows<B> = B extends { data?: (infer T)[] } ? T : never;

export type Member = Rows<Json<paths["/api/v1/teams/{id}/members"]["get"]["responses"]["200"]>>;
export type Invitation = Rows<Json<paths["/api/v1/teams/{id}/invitations"]["get"]["responses"]["200"]>>;
export type InviteResult = Json<paths["/api/v1/teams/{id}/invitations"]["post"]["responses"]["201"]>;
export type ApiKey = Rows<Json<paths["/api/v1/api-keys"]["get"]["responses"]["200"]>>;
export type CreatedKey = Json<paths["/api/v1/api-keys"]["post"]["responses"]["201"]>;
export type AuditEntry = Rows<Json<paths["/api/v1/audit-log"]["get"]["responses"]["200"]>>;
export type AdminUser = Rows<Json<paths["/api/v1/admin/users"]["get"]["responses"]["200"]>>;
export type AdminTeam = Rows<Json<paths["/api/v1/admin/teams"]["get"]["responses"]["200"]>>;
