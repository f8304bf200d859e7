import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldErrors, formError } from '../../components/errors.ts';
import { trpc } from '../../trpc.ts';
import { SystemStatus } from '../system/SystemStatus.tsx';

function SignInForm() {
  const utils = trpc.useUtils();
  const logIn = trpc.auth.logIn.useMutation({ onSuccess: () => utils.invalidate() });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const errors = fieldErrors(logIn.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    logIn.mutate({ email, password });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
          required
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          required
        />
        {formError(logIn.error) && <Alert color="red">{formError(logIn.error)}</Alert>}
        <Button type="submit" loading={logIn.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

function SignUpForm({ invitationToken }: { invitationToken?: string | undefined }) {
  const utils = trpc.useUtils();
  const signUp = trpc.auth.signUp.useMutation({ onSuccess: () => utils.invalidate() });
  const [form, setForm] = useState({ displayName: '', email: '', password: '', workspaceName: '' });
  const errors = fieldErrors(signUp.error);
  const set = (key: keyof typeof form) => (event: { currentTarget: { value: string } }) =>
    setForm({ ...form, [key]: event.currentTarget.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signUp.mutate(
      invitationToken
        ? { displayName: form.displayName, email: form.email, password: form.password, invitationToken }
        : { ...form, workspaceName: form.workspaceName || undefined },
    );
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput
          label="Your name"
          value={form.displayName}
          onChange={set('displayName')}
          error={errors.displayName}
          required
        />
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={errors.email}
          required
        />
        <PasswordInput
          label="Password"
          description="At least 10 characters"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={errors.password}
          required
        />
        {!invitationToken && (
          <TextInput
            label="Workspace name"
            placeholder="Acme Support"
            value={form.workspaceName}
            onChange={set('workspaceName')}
            error={errors.workspaceName}
            required
          />
        )}
        {formError(signUp.error) && <Alert color="red">{formError(signUp.error)}</Alert>}
        <Button type="submit" loading={signUp.isPending}>
          {invitationToken ? 'Create account and join' : 'Create account'}
        </Button>
      </Stack>
    </form>
  );
}

function ForgotPassword() {
  const request = trpc.auth.requestPasswordReset.useMutation();
  const [email, setEmail] = useState('');
  if (request.isSuccess)
    return <Alert color="teal">If an account uses {email}, a reset link is on its way.</Alert>;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        request.mutate({ email });
      }}
    >
      <Stack>
        <TextInput
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={fieldErrors(request.error).email}
          required
        />
        {formError(request.error) && <Alert color="red">{formError(request.error)}</Alert>}
        <Button type="submit" variant="light" loading={request.isPending}>
          Send reset link
        </Button>
      </Stack>
    </form>
  );
}

/** Signed out: sign in, create an account (optionally through an invitation), or ask for a reset link. */
export function AuthPage({ invitationToken }: { invitationToken?: string | undefined }) {
  const [tab, setTab] = useState<string | null>(invitationToken ? 'signup' : 'signin');
  return (
    <Center mih="100vh" p="md">
      <Stack align="center" gap="lg" w="100%" maw={440}>
        <Stack align="center" gap={4}>
          <Title order={1}>Parley</Title>
          <Text c="dimmed">Your team&apos;s WhatsApp Business inbox</Text>
        </Stack>
        {invitationToken && (
          <Alert color="teal">
            You have been invited to a workspace. Sign in or create an account to join it.
          </Alert>
        )}
        <Paper withBorder p="lg" w="100%">
          <Tabs value={tab} onChange={setTab}>
            <Tabs.List grow mb="md">
              <Tabs.Tab value="signin">Sign in</Tabs.Tab>
              <Tabs.Tab value="signup">Create account</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="signin">
              <SignInForm />
              <Anchor component="button" type="button" size="sm" mt="sm" onClick={() => setTab('forgot')}>
                Forgot your password?
              </Anchor>
            </Tabs.Panel>
            <Tabs.Panel value="signup">
              <SignUpForm invitationToken={invitationToken} />
            </Tabs.Panel>
            <Tabs.Panel value="forgot">
              <ForgotPassword />
            </Tabs.Panel>
          </Tabs>
        </Paper>
        <SystemStatus />
      </Stack>
    </Center>
  );
}

/** /reset-password?token=…: choose a new password with the emailed link. */
export function ResetPasswordPage({ token }: { token: string }) {
  const reset = trpc.auth.resetPassword.useMutation();
  const [password, setPassword] = useState('');
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="lg" w="100%" maw={420}>
        <Title order={3} mb="md">
          Choose a new password
        </Title>
        {reset.isSuccess ? (
          <Alert color="teal">
            Password changed. <Anchor href="/">Sign in</Anchor>
          </Alert>
        ) : (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              reset.mutate({ token, newPassword: password });
            }}
          >
            <Stack>
              <PasswordInput
                label="New password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={fieldErrors(reset.error).newPassword}
                required
              />
              {formError(reset.error) && <Alert color="red">{formError(reset.error)}</Alert>}
              <Button type="submit" loading={reset.isPending}>
                Set password
              </Button>
            </Stack>
          </form>
        )}
      </Paper>
    </Center>
  );
}
