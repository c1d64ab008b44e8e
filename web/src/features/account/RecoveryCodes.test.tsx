import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RecoveryCodes, recoveryCodesText } from "./RecoveryCodes";

afterEach(() => vi.unstubAllGlobals());

function readText(blob: Blob): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });
}

const codes = ["ABCDE-FGHIJ", "KLMNO-PQRST", "UVWXY-Z2345"];

describe("RecoveryCodes", () => {
  it("lists every code once and says they are shown only now", () => {
    render(<RecoveryCodes codes={codes} email="ada@example.com" onDone={() => {}} />);
    const list = screen.getByRole("list", { name: "Recovery codes" });
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual(codes);
    expect(screen.getByText(/only time/)).toBeInTheDocument();
  });

  it("copies the codes, one a line", async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, "writeText").mockResolvedValue();
    render(<RecoveryCodes codes={codes} onDone={() => {}} />);
    await user.click(screen.getByRole("button", { name: "Copy codes" }));
    expect(writeText).toHaveBeenCalledWith(codes.join("\n"));
    expect(await screen.findByRole("button", { name: "Copied" })).toBeInTheDocument();
  });

  it("downloads them as a text file named for Berth", async () => {
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return "blob:codes";
    });
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    render(<RecoveryCodes codes={codes} email="ada@example.com" onDone={() => {}} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Download as text" }));
    expect(click).toHaveBeenCalledOnce();
    expect(await readText(created[0]!)).toBe(recoveryCodesText(codes, "ada@example.com"));
    expect(recoveryCodesText(codes, "ada@example.com")).toContain("for ada@example.com\n");
    click.mockRestore();
  });

  it("hands back once the user says they are saved", async () => {
    const onDone = vi.fn();
    render(<RecoveryCodes codes={codes} onDone={onDone} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "I have saved them" }));
    expect(onDone).toHaveBeenCalledOnce();
  });
});
