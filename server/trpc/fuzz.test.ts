import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAdmin, parseCreateAdminArgs } from '../cli/create-admin.ts';
import { signUpViaHttp } from '../test/accounts.ts';
import { anyJson, shapedInput } from '../test/arbitrary-input.ts';
import { setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';
import { listProcedures } from '../test/procedures.ts';

/**
 * Every procedure of the router (found by enumeration, so new ones are covered without being told),
 * called over HTTP by a signed-in owner who is also a platform admin, with arbitrary inputs: random
 * JSON, the procedure's own shape filled with NUL characters, broken surrogates, huge strings and
 * wrong types. Bad input must get a 4xx with a sentence for people, never a 5xx.
 */
// Graph API calls (channel.connect) fail fast instead of leaving the machine.
const parley = setupTestApp({ env: { GRAPH_API_BASE_URL: 'http://127.0.0.1:9' } });

/** Wording meant for developers: zod's defaults, constraint and index names. */
const internals =
  /Too (big|small):|Invalid input: expected|expected string|_(key|pkey|fkey|check)\b|SQLSTATE/;

describe('fuzzing every procedure', () => {
  for (const procedure of listProcedures()) {
    if (procedure.type === 'subscription') continue;
    it(`${procedure.path} answers arbitrary input without a 5xx`, async () => {
      // Its own owner, so one procedure's effects (logging out, leaving) cannot mask another's faults.
      const owner = await signUpViaHttp(parley.app);
      await createAdmin(parley.db.pools.owner, parseCreateAdminArgs(['--email', owner.email]));
      const input = procedure.input ? shapedInput(procedure.input) : anyJson;
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          const result = await call(
            parley.app,
            procedure.type === 'query' ? 'query' : 'mutation',
            procedure.path,
            value,
            {
              cookie: owner.token,
              ip: '10.250.0.1',
            },
          );
          expect(result.status, JSON.stringify(result.error)).toBeLessThan(500);
          if (result.status >= 400) {
            expect(result.error?.message ?? '').toMatch(/\S/);
            expect(result.error?.message ?? '').not.toMatch(internals);
          }
        }),
        { seed: 20261201, numRuns: 25, endOnFailure: true },
      );
    });
  }

  it('survives input nested a hundred thousand levels deep', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (const payload of [
      '['.repeat(100_000) + ']'.repeat(100_000),
      '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
    ]) {
      for (const path of ['apiKey.create', 'member.changeRole', 'auth.signUp']) {
        const response = await parley.app.inject({
          method: 'POST',
          url: `/trpc/${path}`,
          headers: {
            'content-type': 'application/json',
            origin: parley.app.services.config.publicUrl,
            cookie: `parley_session=${owner.token}`,
          },
          payload,
        });
        expect(response.statusCode, `${path}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });
});
