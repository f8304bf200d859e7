import { defineConfig } from '@playwright/test';

export const port = Number(process.env.E2E_PORT ?? 3399);
export const simulatorPort = Number(process.env.E2E_SIMULATOR_PORT ?? 4399);
const dataDir = 'dist/e2e-data';

/**
 * End-to-end specs against the production build, served by the real process on a fresh embedded
 * PostgreSQL. The browser is the system Chromium (Debian's `chromium`); Playwright never downloads one.
 */
export default defineConfig({
  testDir: '.',
  outputDir: '../dist/e2e-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      // The Cloud API simulator stands in for Meta (Graph API and webhooks).
      command: 'node server/whatsapp/simulator/main.ts',
      cwd: '..',
      url: `http://127.0.0.1:${simulatorPort}/_simulator/messages`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { SIMULATOR_PORT: String(simulatorPort), SIMULATOR_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    },
    {
      command: `rm -rf ${dataDir} && node server/main.ts all`,
      cwd: '..',
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        PARLEY_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        GRAPH_API_BASE_URL: `http://127.0.0.1:${simulatorPort}`,
        // Production mode keeps the sandbox off unless asked for.
        SANDBOX: 'on',
        // Every spec signs up its own workspaces from 127.0.0.1.
        SIGNUPS_PER_HOUR: '1000',
        // The outbound webhooks spec's receiver listens on 127.0.0.1.
        OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'on',
      },
    },
  ],
});
