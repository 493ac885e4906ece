import { defineConfig } from 'vite';

// The storefront calculator widget: one IIFE file, no framework, served by printsync at
// /widget/calculator.js (src/http/widget-script.ts). Built after the panel into its dist folder
// by scripts/build-web.js (the panel's build empties that folder first).
export default defineConfig({
  root: import.meta.dirname,
  publicDir: false,
  build: {
    outDir: '../dist/widget',
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: 'calculator.ts', name: 'PrintsyncCalculator', formats: ['iife'], fileName: () => 'calculator.js' },
  },
});
