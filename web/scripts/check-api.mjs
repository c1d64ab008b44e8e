// The typed client is generated from docs/openapi.json (which berthd's route table writes).
// The build fails when the committed src/api/schema.d.ts is not what that document gives:
// the dashboard cannot drift from the API. `npm run gen:api` regenerates it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "berth-api-"));
try {
  const fresh = join(dir, "schema.d.ts");
  execFileSync(
    process.execPath,
    ["node_modules/openapi-typescript/bin/cli.js", "../docs/openapi.json", "-o", fresh],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const committed = readFileSync("src/api/schema.d.ts", "utf8");
  if (readFileSync(fresh, "utf8") !== committed) {
    console.error(
      "check-api: src/api/schema.d.ts does not match docs/openapi.json; run `npm run gen:api` in web/",
    );
    process.exit(1);
  }
  console.log("check-api: the client matches docs/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
