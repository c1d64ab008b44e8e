import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { DoctorTab } from "./DoctorTab";
import { apiError, renderAs } from "../apps/domains/testing";

afterEach(() => vi.unstubAllGlobals());

const answer = {
  status: "error",
  checks: [
    { name: "public_url", status: "ok", detail: "panel.example.com resolves to this machine and serves a valid certificate", fix: "" },
    { name: "disk_space", status: "warning", detail: "4.0 GiB free of 50.0 GiB (8.0%) where /var/lib/berth is", fix: "Free space on that disk or grow it." },
    { name: "smtp", status: "error", detail: "cannot reach the mail server mail.example.com:587: no answer within 3000 ms", fix: "Check smtp-url." },
  ],
};

describe("Doctor", () => {
  it("lists each check with its status colour, what was found and the fix", async () => {
    renderAs(<DoctorTab />, { role: "owner", routes: { "GET /api/v1/admin/doctor": answer } });
    const disk = (await screen.findByText("disk space")).closest("tr") as HTMLElement;
    expect(within(disk).getByText("warning")).toHaveClass("badge-warn");
    expect(within(disk).getByText(/8\.0%/)).toBeInTheDocument();
    expect(within(disk).getByText("Free space on that disk or grow it.")).toBeInTheDocument();
    const smtp = screen.getByText("smtp").closest("tr") as HTMLElement;
    expect(within(smtp).getByText("error")).toHaveClass("badge-danger");
    const url = screen.getByText("public url").closest("tr") as HTMLElement;
    expect(within(url).getByText("ok")).toHaveClass("badge-ok");
    expect(within(url).queryByText("Fix:")).not.toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Doctor summary" })).toHaveTextContent("Something is wrong");
  });

  it("checks again on request", async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderAs(<DoctorTab />, {
      role: "owner",
      routes: {
        "GET /api/v1/admin/doctor": () => {
          calls += 1;
          return calls === 1 ? answer : { status: "ok", checks: [{ name: "smtp", status: "ok", detail: "the mail server answers", fix: "" }] };
        },
      },
    });
    await screen.findByText("disk space");
    await user.click(screen.getByRole("button", { name: "Check again" }));
    expect(await screen.findByText("the mail server answers")).toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Doctor summary" })).toHaveTextContent("Every check passed.");
  });

  it("shows the API's refusal to someone who is not an instance administrator", async () => {
    renderAs(<DoctorTab />, {
      role: "owner",
      routes: { "GET /api/v1/admin/doctor": apiError(403, "forbidden", "instance administrators only") },
    });
    expect(await screen.findByText(/instance administrators only/)).toBeInTheDocument();
  });
});
