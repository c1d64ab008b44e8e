/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` serves the dashboard with hot reload and sends /api to a running berthd
// (BERTH_URL, default the `make run` address). berthd refuses cookie mutations from another
// origin, so the proxy presents berthd's own origin.
const berth = process.env.BERTH_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    // berthd serves assets/ with a year of cache: every name carries its content hash.
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/api": {
        target: berth,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on("proxyReq", (req) => req.setHeader("origin", berth));
        },
      },
    },
  },
  test: {
    // happy-dom rather than jsdom: the suite takes a third of the time (most of jsdom's was
    // setting up its window for each file), and the real browser is the e2e test's.
    environment: "happy-dom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // The suite runs beside the C++ tests on two cores (make test): a page test that takes
    // 1 s alone took over 5 s (vitest's default limit) there. A hung test still fails.
    testTimeout: 20_000,
  },
});
