import { afterEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { InstallTokenPanel } from "./InstallTokenPanel";
import { renderSignedIn, stubApi } from "./testUtils";

afterEach(() => vi.unstubAllGlobals());

describe("InstallTokenPanel", () => {
  it("mints a token with the chosen lifetime and shows the command, a copy button and the expiry", async () => {
    const bodies: unknown[] = [];
    const expires = new Date(Date.now() + 58 * 60_000 + 5_000).toISOString();
    stubApi("admin", {
      "POST /api/v1/servers/install-tokens": async (request: Request) => {
        bodies.push(await request.json());
        return { id: "itk_1", token: "bit_secret", expires_at: expires, install_command: "curl -fsSL https://berth.example/api/v1/agent/install.sh | sh -s -- bit_secret" };
      },
    });
    renderSignedIn(<InstallTokenPanel />);
    await userEvent.selectOptions(screen.getByLabelText("Valid for"), "86400");
    await userEvent.click(screen.getByRole("button", { name: "Create install command" }));
    expect(await screen.findByLabelText("Command to run on the server")).toHaveTextContent("install.sh | sh -s -- bit_secret");
    expect(bodies).toEqual([{ ttl_seconds: 86400 }]);
    expect(screen.getByRole("button", { name: "Copy command" })).toBeInTheDocument();
    expect(screen.getByText("in 58 min")).toBeInTheDocument();
  });

  it("shows the API's message when minting fails", async () => {
    stubApi("admin", {});
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        new Response(JSON.stringify({ error: { code: "insecure_enrolment", message: "give berthd an https:// public URL", details: {} } }), {
          status: 422,
          headers: { "Content-Type": "application/json" },
        }),
      ),
    );
    renderSignedIn(<InstallTokenPanel />);
    await userEvent.click(screen.getByRole("button", { name: "Create install command" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("give berthd an https:// public URL");
  });
});
