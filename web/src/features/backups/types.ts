// Types of the backups area, from the generated schema (docs/openapi.json).
import type { paths } from "../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Backup = Json<paths["/api/v1/backups/{id}"]["get"]["responses"]["200"]>;
export type BackupList = Json<paths["/api/v1/backups"]["get"]["responses"]["200"]>;
export type Restore = Json<paths["/api/v1/restores/{id}"]["get"]["responses"]["200"]>;
export type BackupPolicy = Json<paths["/api/v1/services/{id}/backup-policy"]["get"]["responses"]["200"]>;
export type Drill = Json<paths["/api/v1/drills/{id}"]["get"]["responses"]["200"]>;
export type DrillList = Json<paths["/api/v1/backups/{id}/drills"]["get"]["responses"]["200"]>;
