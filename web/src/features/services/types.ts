// Types of the services area, taken from the generated schema so they follow docs/openapi.json.
import type { paths } from "../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Service = Json<paths["/api/v1/services/{id}"]["get"]["responses"]["200"]>;
export type ServiceList = Json<paths["/api/v1/services"]["get"]["responses"]["200"]>;
export type CreateServiceBody = NonNullable<paths["/api/v1/services"]["post"]["requestBody"]>["content"]["application/json"];
export type PatchServiceBody = NonNullable<paths["/api/v1/services/{id}"]["patch"]["requestBody"]>["content"]["application/json"];
export type ServiceLink = Json<paths["/api/v1/apps/{id}/links"]["post"]["responses"]["201"]>;
export type Engine = NonNullable<CreateServiceBody["engine"]>;
export type Publish = NonNullable<CreateServiceBody["publish"]>;
