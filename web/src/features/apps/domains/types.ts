// Types of the Domains tab, from the generated schema (docs/openapi.json).
import type { paths } from "../../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Domain = Json<paths["/api/v1/domains/{id}"]["get"]["responses"]["200"]>;
export type DomainList = Json<paths["/api/v1/apps/{id}/domains"]["get"]["responses"]["200"]>;
export type CreateDomainBody = NonNullable<paths["/api/v1/apps/{id}/domains"]["post"]["requestBody"]>["content"]["application/json"];
export type PatchDomainBody = NonNullable<paths["/api/v1/domains/{id}"]["patch"]["requestBody"]>["content"]["application/json"];
export type TlsMode = NonNullable<Domain["tls"]>;
export type DnsStatus = NonNullable<NonNullable<Domain["dns"]>["status"]>;
export type DnsRecord = NonNullable<NonNullable<Domain["dns"]>["records"]>[number];
