/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Tauri serves ui/dist through its own protocol: relative asset paths, everything bundled
// (offline-first; the CSP allows no remote script, style or font).
export default defineConfig({
  base: './',
  plugins: [react()],
  clearScreen: false,
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>: the CSP is `default-src 'self'`.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // The passphrase meter loads zxcvbn-ts and its dictionaries on first use: seconds on a
    // loaded two-core machine, more than the default five-second budget of a test.
    testTimeout: 30_000,
  },
});
