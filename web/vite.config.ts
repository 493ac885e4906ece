import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The panel is served by printsync itself at `/` (src/http/panel.ts); in `vite dev` the API is proxied.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
