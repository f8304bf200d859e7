import type { RunnerTiming } from './domains/campaigns/runner.ts';
import type { SendTiming } from './domains/messages/send-job.ts';
import type { PgBoss } from 'pg-boss';
import type { Config } from './config.ts';
import type { Keyring } from './crypto/keyring.ts';
import type { Pools } from './db/pools.ts';
import type { Sandbox } from './domains/channels/sandbox.ts';
import type { Logger } from './logger.ts';
import type { HttpPriority } from './jobs/http-priority.ts';
import type { Mailer } from './mailer.ts';
import type { RealtimeHub } from './realtime/hub.ts';

/** What a running node shares between requests, procedures and jobs. */
export interface AppServices {
  readonly config: Config;
  readonly pools: Pools;
  readonly boss: PgBoss;
  readonly logger: Logger;
  readonly mailer: Mailer;
  /** Encrypts channel secrets at rest. */
  readonly keyring: Keyring;
  /** The in-process simulator behind sandbox channels; absent when SANDBOX is off. */
  readonly sandbox: Sandbox | undefined;
  /** The send pipeline's waits and retries (message.send); tests shorten them. */
  readonly sendTiming: SendTiming;
  /** The campaign runner's tick and lookahead (campaign.run); tests shorten them. */
  readonly campaignTiming: RunnerTiming;
  /** This node's realtime fan-out to subscriptions; absent on worker-only nodes (no HTTP). */
  readonly realtime: RealtimeHub | undefined;
  /** Background work that yields to this node's HTTP path while it is busy (webhook processing). */
  readonly httpPriority: HttpPriority;
}
