// Types of the Edge tab, from the generated schema (docs/openapi.json, docs/edge.md).
import type { paths } from "../../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type EdgeRules = Json<paths["/api/v1/apps/{id}/edge"]["get"]["responses"]["200"]>;
export type EdgeBody = NonNullable<paths["/api/v1/apps/{id}/edge"]["put"]["requestBody"]>["content"]["application/json"];
export type RedirectStatus = 301 | 302 | 307 | 308;
