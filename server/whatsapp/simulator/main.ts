import closeWithGrace from 'close-with-grace';
import { z } from 'zod';
import { createLogger } from '../../logger.ts';
import { defaultAccessToken, defaultAppSecret, defaultWabas } from './options.ts';
import { createSimulator } from './simulator.ts';

/**
 * Runs the simulator alone: `node server/whatsapp/simulator/main.ts`. Point a channel's Graph base URL at
 * the printed URL; customer messages can be triggered with POST /_simulator/customer-messages.
 */

const envSchema = z.object({
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SIMULATOR_HOST: z.string().default('127.0.0.1'),
  SIMULATOR_WEBHOOK_URL: z.url().optional(),
  SIMULATOR_APP_SECRET: z.string().min(1).default(defaultAppSecret),
  SIMULATOR_ACCESS_TOKEN: z.string().min(1).default(defaultAccessToken),
  SIMULATOR_SEED: z.string().default('1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

const parsed = envSchema.safeParse(
  Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== '')),
);
if (!parsed.success) {
  process.stderr.write(`Invalid simulator configuration:\n${z.prettifyError(parsed.error)}\n`);
  process.exit(1);
}
const env = parsed.data;
const logger = createLogger(env.LOG_LEVEL);

// The fixtures' two accounts, and more so that each end-to-end spec can connect an account of its own
// (a WABA belongs to one workspace).
const wabas = [
  ...defaultWabas,
  {
    id: '310000000000003',
    phoneNumbers: [
      { id: '420000000000003', displayPhoneNumber: '15550103030', verifiedName: 'Parley Third Store' },
    ],
  },
  {
    id: '310000000000004',
    phoneNumbers: [
      { id: '420000000000004', displayPhoneNumber: '15550104040', verifiedName: 'Parley Fourth Store' },
    ],
  },
  {
    id: '310000000000005',
    phoneNumbers: [
      { id: '420000000000005', displayPhoneNumber: '15550105050', verifiedName: 'Parley Fifth Store' },
    ],
  },
  {
    id: '310000000000006',
    phoneNumbers: [
      { id: '420000000000006', displayPhoneNumber: '15550106060', verifiedName: 'Parley Sixth Store' },
    ],
  },
  {
    id: '310000000000009',
    phoneNumbers: [
      { id: '420000000000009', displayPhoneNumber: '15550109090', verifiedName: 'Parley Layout Store' },
    ],
  },
];

const simulator = createSimulator({
  wabas,
  tokens: [{ token: env.SIMULATOR_ACCESS_TOKEN, wabaIds: wabas.map((waba) => waba.id) }],
  ...(env.SIMULATOR_WEBHOOK_URL
    ? { webhook: { url: env.SIMULATOR_WEBHOOK_URL, appSecret: env.SIMULATOR_APP_SECRET } }
    : {}),
  seed: env.SIMULATOR_SEED,
  statusDelaysMs: { sent: 300, delivered: 700, read: 2_000 },
  templateReviewDelayMs: 3_000,
  controlRoutes: true,
  logger,
});

closeWithGrace({ delay: 5_000, logger }, async ({ err }) => {
  if (err) logger.error({ err }, 'simulator stopping after an uncaught error');
  await simulator.close();
});

const url = await simulator.listen({ port: env.SIMULATOR_PORT, host: env.SIMULATOR_HOST });
const numbers = wabas
  .flatMap((waba) => waba.phoneNumbers.map((number) => `WABA ${waba.id} → phone_number_id ${number.id}`))
  .join('\n  ');
process.stdout.write(
  `WhatsApp Cloud API simulator listening on ${url}\n` +
    `  Graph base URL: ${url} (any version, e.g. ${url}/v25.0/…)\n` +
    `  access token: ${env.SIMULATOR_ACCESS_TOKEN === defaultAccessToken ? defaultAccessToken : '(from SIMULATOR_ACCESS_TOKEN)'}\n` +
    `  webhooks: ${env.SIMULATOR_WEBHOOK_URL ?? 'none yet (PUT /_simulator/webhook {url, appSecret})'}\n  ${numbers}\n`,
);
