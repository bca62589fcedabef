/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Built into ui/dist, which the Tauri binary embeds (tauri.conf.json → build.frontendDist).
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    sourcemap: false,
    rollupOptions: {
      // TanStack Query marks its modules "use client" for server renderers; a desktop app has none.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: { port: 1420, strictPort: true },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
