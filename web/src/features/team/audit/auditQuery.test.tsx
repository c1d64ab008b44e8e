import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useLocation } from "react-router-dom";
import { adminApiQuery, filtersFromSearch, searchFromFilters, teamApiQuery } from "./auditQuery";
import { AuditLogPage } from "./AuditLogPage";
import { renderSignedIn, stubApi, testTeam } from "../testing";

afterEach(() => vi.unstubAllGlobals());

describe("audit filters ↔ URL query", () => {
  it("round-trips filters and page, leaving out blanks and page 1", () => {
    const filters = { action: "member.update", actor: "usr_1", q: "key", team_id: "" };
    const search = searchFromFilters(filters, 3);
    expect(search.toString()).toBe("action=member.update&actor=usr_1&q=key&page=3");
    expect(filtersFromSearch(search)).toEqual({ filters, page: 3 });
    expect(searchFromFilters({ action: " ", actor: "", q: "", team_id: "" }, 1).toString()).toBe("");
  });

  it("ignores what the API does not declare and sanitises the page", () => {
    const { filters, page } = filtersFromSearch(new URLSearchParams("since=2026-01-01&page=-4&q=%20x%20"));
    expect(filters).toEqual({ action: "", actor: "", q: "x", team_id: "" });
    expect(page).toBe(1);
  });

  it("sends team_id only to the instance-wide log", () => {
    const filters = { action: "", actor: "", q: "x", team_id: "team_9" };
    expect(teamApiQuery(filters, 2, 50)).toEqual({ page: 2, per_page: 50, q: "x" });
    expect(adminApiQuery(filters, 1, 50)).toEqual({ page: 1, per_page: 50, q: "x", team_id: "team_9" });
  });
});

function Where() {
  const location = useLocation();
  return <output aria-label="location">{location.pathname + location.search}</output>;
}

describe("the audit page", () => {
  it("reads its filters from the URL, asks the API with them, and writes new ones back", async () => {
    const asked: string[] = [];
    stubApi("admin", {
      "GET /api/v1/audit-log": (request) => {
        asked.push(new URL(request.url).search);
        return { data: [], page: 1, per_page: 50, total: 0 };
      },
      [`GET /api/v1/teams/${testTeam.id}/members`]: () => ({
        data: [{ user_id: "usr_bob", display_name: "Bob", email: "bob@example.com", role: "member" }],
        page: 1,
        per_page: 100,
        total: 1,
      }),
    });
    const user = userEvent.setup();
    renderSignedIn(
      <>
        <AuditLogPage />
        <Where />
      </>,
      { url: "/audit?action=api_key.create&page=2" },
    );
    expect(await screen.findByLabelText("Action (exact)")).toHaveValue("api_key.create");
    await waitFor(() => expect(asked[0]).toBe("?page=2&per_page=50&action=api_key.create"));
    expect(await screen.findByText(/No entries match/)).toBeInTheDocument();

    await user.type(screen.getByLabelText("Search"), "inv");
    await user.selectOptions(screen.getByLabelText("Actor"), "usr_bob");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    // A new filter starts again at page 1.
    expect(screen.getByLabelText("location")).toHaveTextContent("/audit?action=api_key.create&actor=usr_bob&q=inv");
    await waitFor(() => expect(asked.at(-1)).toBe("?page=1&per_page=50&action=api_key.create&actor=usr_bob&q=inv"));

    await user.click(screen.getByRole("button", { name: "Clear" }));
    expect(screen.getByLabelText("location")).toHaveTextContent(/^\/audit$/);
  });
});
