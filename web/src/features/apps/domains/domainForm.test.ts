import { describe, expect, it } from "vitest";
import { cnameAdvice, recordsToCreate } from "./dnsHelp";
import { formOf, patchBody, redirectTargets } from "./domainForm";
import type { Domain } from "./types";

const domain: Domain = { id: "dom_1", hostname: "a.example.com", path_prefix: "/api", tls: "acme", tls_follows_server: false, redirect_to: null, https_redirect: true, hsts: false };

describe("domain form", () => {
  it("patches only what changed, clearing with null", () => {
    const form = formOf(domain);
    expect(patchBody(domain, form)).toEqual({});
    expect(patchBody(domain, { ...form, pathPrefix: "", tls: "", hsts: true })).toEqual({ path_prefix: null, tls: null, hsts: true });
    // Switching to custom without a certificate is left to the API to refuse at "certificate".
    expect(patchBody(domain, { ...form, tls: "custom" })).toEqual({ tls: "custom" });
  });

  it("offers as redirect targets only domains serving the app's root", () => {
    const list: Domain[] = [domain, { id: "dom_2", hostname: "www.example.com" }, { id: "dom_3", hostname: "*.example.com" }, { id: "dom_4", hostname: "b.example.com", redirect_to: "dom_2" }];
    expect(redirectTargets(list, "dom_2").map((d) => d.id)).toEqual([]);
    expect(redirectTargets(list, "dom_4").map((d) => d.id)).toEqual(["dom_2"]);
  });
});

describe("DNS help", () => {
  it("names A and AAAA records and when a CNAME is possible", () => {
    expect(recordsToCreate("shop.example.com", ["203.0.113.7", "2001:db8::7"])).toEqual([
      { type: "A", name: "shop.example.com", value: "203.0.113.7" },
      { type: "AAAA", name: "shop.example.com", value: "2001:db8::7" },
    ]);
    expect(cnameAdvice("shop.example.com")).toMatch(/CNAME to a name/);
    expect(cnameAdvice("example.com")).toMatch(/apex a CNAME is not allowed/);
    expect(cnameAdvice("*.preview.example.com")).toMatch(/Wildcard records/);
  });
});
