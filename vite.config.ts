import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiTarget = process.env.PARLEY_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    port: 5173,
    // In development the API runs on its own port (npm run dev starts both); the browser sees one origin.
    // Whole path segments only: a bare '/api' prefix would also send the /api-keys page to the API.
    proxy: Object.fromEntries(
      ['/trpc', '/api', '/webhooks', '/media', '/healthz', '/readyz'].map((prefix) => [
        `^${prefix}(?:[/?]|$)`,
        { target: apiTarget },
      ]),
    ),
  },
});
