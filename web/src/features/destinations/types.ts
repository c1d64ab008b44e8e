// Types of the destinations view, from the generated schema (docs/openapi.json).
import type { paths } from "../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Destination = Json<paths["/api/v1/backup-destinations/{id}"]["get"]["responses"]["200"]>;
export type DestinationList = Json<paths["/api/v1/backup-destinations"]["get"]["responses"]["200"]>;
export type TestAnswer = Json<paths["/api/v1/backup-destinations/{id}/test"]["post"]["responses"]["200"]>;
export type TestStep = NonNullable<TestAnswer["steps"]>[number];
export type CreateBody = NonNullable<paths["/api/v1/backup-destinations"]["post"]["requestBody"]>["content"]["application/json"];
