import { describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../domains/apiKeys/authenticate.ts';
import { hasRole, type Role } from '../domains/members/roles.ts';
import { setupTestApp } from '../test/app.ts';
import { addMember, createTenant, createUser } from '../test/factories.ts';
import { invoke, listProcedures, sampleInput } from '../test/procedures.ts';
import { createContextInner, type ContextInner } from './context.ts';
import { AccessDenied } from './init.ts';
import { createCaller } from './router.ts';

/**
 * Who may call what. Every procedure of the router must be listed here: adding a procedure without
 * deciding its access fails this test.
 */
type Access = 'public' | 'user' | 'platform' | { role: Role; apiKeys: boolean };
const access: Record<string, Access> = {
  'system.info': 'public',
  'system.health': 'public',
  'auth.signUp': 'public',
  'auth.logIn': 'public',
  'auth.logOut': 'public',
  'auth.me': 'public',
  'auth.requestPasswordReset': 'public',
  'auth.resetPassword': 'public',
  'auth.logOutEverywhere': 'user',
  'auth.changePassword': 'user',
  'tenant.list': 'user',
  'tenant.switch': 'user',
  'tenant.create': 'user',
  'tenant.current': { role: 'viewer', apiKeys: true },
  'member.list': { role: 'viewer', apiKeys: true },
  'member.changeRole': { role: 'admin', apiKeys: false },
  'member.remove': { role: 'admin', apiKeys: false },
  'member.leave': { role: 'viewer', apiKeys: false },
  'member.transferOwnership': { role: 'owner', apiKeys: false },
  'invitation.create': { role: 'admin', apiKeys: false },
  'invitation.list': { role: 'admin', apiKeys: true },
  'invitation.revoke': { role: 'admin', apiKeys: false },
  'invitation.accept': 'user',
  'apiKey.create': { role: 'admin', apiKeys: false },
  'apiKey.list': { role: 'admin', apiKeys: false },
  'apiKey.revoke': { role: 'admin', apiKeys: false },
  'platform.plans': 'platform',
  'platform.tenants': 'platform',
  'platform.suspendTenant': 'platform',
  'platform.resumeTenant': 'platform',
  'platform.setTenantPlan': 'platform',
  'platform.unroutedWebhooks': 'platform',
  'platform.queueStats': 'platform',
  'channel.connect': { role: 'admin', apiKeys: false },
  'channel.list': { role: 'viewer', apiKeys: true },
  'channel.test': { role: 'admin', apiKeys: true },
  'channel.updateCredentials': { role: 'admin', apiKeys: false },
  'channel.setThroughput': { role: 'admin', apiKeys: true },
  'channel.disable': { role: 'admin', apiKeys: false },
  'channel.setReadReceipts': { role: 'admin', apiKeys: true },
  'channel.trySandbox': { role: 'admin', apiKeys: false },
  'channel.sandboxCustomerSends': { role: 'agent', apiKeys: true },
  'channel.sandboxThread': { role: 'viewer', apiKeys: true },
  'webhook.list': { role: 'admin', apiKeys: true },
  'webhook.byId': { role: 'admin', apiKeys: true },
  'webhook.replay': { role: 'admin', apiKeys: true },
  'webhookEndpoint.eventTypes': { role: 'admin', apiKeys: true },
  'webhookEndpoint.list': { role: 'admin', apiKeys: true },
  'webhookEndpoint.create': { role: 'admin', apiKeys: true },
  'webhookEndpoint.update': { role: 'admin', apiKeys: true },
  'webhookEndpoint.delete': { role: 'admin', apiKeys: true },
  'webhookEndpoint.rotateSecret': { role: 'admin', apiKeys: true },
  'webhookEndpoint.deliveries': { role: 'admin', apiKeys: true },
  'webhookEndpoint.replay': { role: 'admin', apiKeys: true },
  'conversation.list': { role: 'viewer', apiKeys: true },
  'conversation.markRead': { role: 'agent', apiKeys: true },
  'conversation.setStatus': { role: 'agent', apiKeys: true },
  'conversation.assign': { role: 'agent', apiKeys: true },
  'conversation.activity': { role: 'viewer', apiKeys: true },
  'conversation.byId': { role: 'viewer', apiKeys: true },
  'conversation.counts': { role: 'viewer', apiKeys: true },
  'conversation.unreadTotals': { role: 'viewer', apiKeys: true },
  'conversation.search': { role: 'viewer', apiKeys: true },
  'segment.list': { role: 'admin', apiKeys: true },
  'segment.create': { role: 'admin', apiKeys: true },
  'segment.delete': { role: 'admin', apiKeys: true },
  'segment.update': { role: 'admin', apiKeys: true },
  'segment.count': { role: 'admin', apiKeys: true },
  'segment.preview': { role: 'admin', apiKeys: true },
  'campaign.list': { role: 'admin', apiKeys: true },
  'campaign.byId': { role: 'admin', apiKeys: true },
  'campaign.create': { role: 'admin', apiKeys: true },
  'campaign.pause': { role: 'admin', apiKeys: true },
  'campaign.resume': { role: 'admin', apiKeys: true },
  'campaign.cancel': { role: 'admin', apiKeys: true },
  'campaign.report': { role: 'admin', apiKeys: true },
  'campaign.recipients': { role: 'admin', apiKeys: true },
  'campaign.exportRecipients': { role: 'admin', apiKeys: true },
  'campaign.timeZone': { role: 'viewer', apiKeys: true },
  'campaign.setTimeZone': { role: 'admin', apiKeys: true },
  'analytics.overview': { role: 'admin', apiKeys: true },
  'label.list': { role: 'viewer', apiKeys: true },
  'label.ofContact': { role: 'viewer', apiKeys: true },
  'label.create': { role: 'admin', apiKeys: true },
  'label.update': { role: 'admin', apiKeys: true },
  'label.delete': { role: 'admin', apiKeys: true },
  'label.attach': { role: 'agent', apiKeys: true },
  'label.detach': { role: 'agent', apiKeys: true },
  'team.list': { role: 'viewer', apiKeys: true },
  'team.create': { role: 'admin', apiKeys: true },
  'team.rename': { role: 'admin', apiKeys: true },
  'team.delete': { role: 'admin', apiKeys: true },
  'team.setMember': { role: 'admin', apiKeys: true },
  'note.list': { role: 'agent', apiKeys: true },
  'note.create': { role: 'agent', apiKeys: true },
  'note.update': { role: 'agent', apiKeys: true },
  'note.ofContact': { role: 'agent', apiKeys: true },
  'note.delete': { role: 'agent', apiKeys: true },
  'notification.list': { role: 'viewer', apiKeys: false },
  'notification.markRead': { role: 'viewer', apiKeys: false },
  'cannedResponse.list': { role: 'viewer', apiKeys: true },
  'cannedResponse.create': { role: 'admin', apiKeys: true },
  'cannedResponse.update': { role: 'admin', apiKeys: true },
  'cannedResponse.delete': { role: 'admin', apiKeys: true },
  'autoAssign.rules': { role: 'admin', apiKeys: true },
  'autoAssign.setRule': { role: 'admin', apiKeys: true },
  'autoAssign.availability': { role: 'viewer', apiKeys: true },
  'autoAssign.setAvailable': { role: 'agent', apiKeys: false },
  'message.list': { role: 'viewer', apiKeys: true },
  'message.send': { role: 'agent', apiKeys: true },
  'media.send': { role: 'agent', apiKeys: true },
  'media.usage': { role: 'viewer', apiKeys: true },
  'media.setRetention': { role: 'admin', apiKeys: true },
  'message.retry': { role: 'agent', apiKeys: true },
  'message.sendButtons': { role: 'agent', apiKeys: true },
  'message.sendList': { role: 'agent', apiKeys: true },
  'message.sendCtaUrl': { role: 'agent', apiKeys: true },
  'message.sendLocation': { role: 'agent', apiKeys: true },
  'message.sendContacts': { role: 'agent', apiKeys: true },
  'message.react': { role: 'agent', apiKeys: true },
  'message.markRead': { role: 'agent', apiKeys: true },
  'message.sendTemplate': { role: 'agent', apiKeys: true },
  'template.list': { role: 'viewer', apiKeys: true },
  'template.sync': { role: 'admin', apiKeys: true },
  'template.create': { role: 'admin', apiKeys: true },
  'template.delete': { role: 'admin', apiKeys: true },
  'events.live': { role: 'viewer', apiKeys: true },
  'presence.update': { role: 'viewer', apiKeys: false },
  'presence.leave': { role: 'viewer', apiKeys: false },
  'contact.byId': { role: 'viewer', apiKeys: true },
  'contact.rename': { role: 'agent', apiKeys: true },
  'contact.list': { role: 'viewer', apiKeys: true },
  'contact.count': { role: 'viewer', apiKeys: true },
  'contact.create': { role: 'agent', apiKeys: true },
  'contact.update': { role: 'agent', apiKeys: true },
  'contact.optIn': { role: 'agent', apiKeys: true },
  'contact.optOut': { role: 'agent', apiKeys: true },
  'contact.delete': { role: 'admin', apiKeys: true },
  'contact.merge': { role: 'admin', apiKeys: true },
  'contact.tag': { role: 'agent', apiKeys: true },
  'contact.exportData': { role: 'admin', apiKeys: true },
  'contact.erase': { role: 'admin', apiKeys: true },
  'contactAttribute.list': { role: 'viewer', apiKeys: true },
  'contactAttribute.create': { role: 'admin', apiKeys: true },
  'contactAttribute.update': { role: 'admin', apiKeys: true },
  'contactAttribute.delete': { role: 'admin', apiKeys: true },
  'contactSettings.get': { role: 'viewer', apiKeys: true },
  'contactSettings.set': { role: 'admin', apiKeys: true },
  'contactImport.byId': { role: 'viewer', apiKeys: true },
  'contactImport.start': { role: 'agent', apiKeys: true },
};

type Caller =
  | { kind: 'anonymous' }
  | { kind: 'user' } // signed in, no workspace
  | { kind: 'platform' } // platform admin, no workspace
  | { kind: 'member'; role: Role }
  | { kind: 'apiKey'; scopes: ApiKeyScope[] };

const callers: Caller[] = [
  { kind: 'anonymous' },
  { kind: 'user' },
  { kind: 'platform' },
  ...(['owner', 'admin', 'agent', 'viewer'] as const).map((role) => ({ kind: 'member' as const, role })),
  { kind: 'apiKey', scopes: ['read'] },
  { kind: 'apiKey', scopes: ['read', 'write'] },
  { kind: 'apiKey', scopes: ['read', 'write', 'manage'] },
];

const label = (caller: Caller) =>
  caller.kind === 'member'
    ? caller.role
    : caller.kind === 'apiKey'
      ? `key:${caller.scopes.join('+')}`
      : caller.kind;

function expectedAllowed(rule: Access, caller: Caller): boolean {
  if (rule === 'public') return true;
  if (rule === 'user')
    return caller.kind === 'user' || caller.kind === 'platform' || caller.kind === 'member';
  if (rule === 'platform') return caller.kind === 'platform';
  if (caller.kind === 'member') return hasRole(caller.role, rule.role);
  if (caller.kind === 'apiKey') {
    const needed = { viewer: 'read', agent: 'write', admin: 'manage', owner: null }[rule.role];
    return rule.apiKeys && needed !== null && caller.scopes.includes(needed as ApiKeyScope);
  }
  return false;
}

const parley = setupTestApp();

/** A fresh identity per call, so one call's side effects (leaving, revoking) cannot skew the next. */
async function contextFor(caller: Caller): Promise<ContextInner> {
  const services = parley.app.services;
  if (caller.kind === 'anonymous') return createContextInner(services);
  const tenant = await createTenant(parley.db.pools.owner);
  if (caller.kind === 'apiKey') {
    return createContextInner(services, {
      apiKey: {
        id: '00000000-0000-7000-8000-00000000000a',
        tenantId: tenant.id,
        scopes: caller.scopes,
        tenantStatus: 'active',
      },
    });
  }
  const user = await createUser(parley.db.pools.owner, { isPlatformAdmin: caller.kind === 'platform' });
  const identity = {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    isPlatformAdmin: caller.kind === 'platform',
  };
  if (caller.kind !== 'member') return createContextInner(services, { user: identity });
  await addMember(parley.db.pools, tenant.id, user.id, caller.role);
  return createContextInner(services, {
    user: identity,
    membership: { tenantId: tenant.id, role: caller.role, tenantStatus: 'active' },
  });
}

async function outcome(path: string, input: unknown, caller: Caller): Promise<'allowed' | 'denied'> {
  try {
    await invoke(createCaller(await contextFor(caller)), path, input);
  } catch (error) {
    if ((error as { cause?: unknown }).cause instanceof AccessDenied) return 'denied';
  }
  return 'allowed'; // ran, or failed for a reason other than who is calling (bad input, business rule)
}

describe('permission matrix', () => {
  const procedures = listProcedures();

  it('lists every procedure of the router, and nothing else', () => {
    expect(procedures.map((p) => p.path).sort()).toEqual(Object.keys(access).sort());
  });

  for (const procedure of procedures) {
    it(`${procedure.path}: ${JSON.stringify(access[procedure.path])}`, async () => {
      const rule = access[procedure.path];
      if (!rule) throw new Error(`No access rule for ${procedure.path}`);
      const input = procedure.input
        ? sampleInput(procedure.input, '00000000-0000-7000-8000-0000000000ff')
        : undefined;
      const actual: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const caller of callers) {
        actual[label(caller)] = await outcome(procedure.path, input, caller);
        expected[label(caller)] = expectedAllowed(rule, caller) ? 'allowed' : 'denied';
      }
      expect(actual).toEqual(expected);
    });
  }
});
