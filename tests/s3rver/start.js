// Starts @20minutes/s3rver on 127.0.0.1 with a free port and prints
// "S3rver listening on 127.0.0.1:<port>" once it answers (the package ships no command).
// Usage: node start.js DATA_DIR [--configure-bucket NAME]... [--service-endpoint HOST]
//          [--allow-mismatched-signatures]
"use strict";
const S3rver = require("@20minutes/s3rver");

const [directory, ...rest] = process.argv.slice(2);
const buckets = [];
let serviceEndpoint = "amazonaws.com";
let allowMismatchedSignatures = false;
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] === "--configure-bucket") buckets.push({ name: rest[i + 1] });
  else if (rest[i] === "--service-endpoint") serviceEndpoint = rest[i + 1];
  else if (rest[i] === "--allow-mismatched-signatures") {
    allowMismatchedSignatures = true;
    i -= 1;
  } else {
    console.error(`start.js: unknown option ${rest[i]}`);
    process.exit(2);
  }
}
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, serviceEndpoint, allowMismatchedSignatures, configureBuckets: buckets });
server
  .run()
  .then(({ port }) => {
    // One line per request as it arrives, for tests to read (s3rver's own log cuts paths).
    server.httpServer.on("request", (request) => console.log(`request ${request.method} ${request.url}`));
    console.log(`S3rver listening on 127.0.0.1:${port}`);
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
process.on("SIGTERM", () => process.exit(0));
