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
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  loginInput,
  requestPasswordResetInput,
  resetPasswordInput,
  signUpInput,
} from '../../../../server/domains/auth/schemas.ts';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { useDocumentTitle } from '../../components/PageHeader.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs } from '../../trpc.ts';
import { SystemStatus } from '../system/SystemStatus.tsx';

function SignInForm() {
  const utils = trpc.useUtils();
  const form = useForm<RouterInputs['auth']['logIn']>({
    initialValues: { email: '', password: '' },
    validate: zodResolver(loginInput),
    validateInputOnBlur: true,
  });
  const logIn = trpc.auth.logIn.useMutation({
    onSuccess: () => utils.invalidate(),
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <form onSubmit={form.onSubmit((values) => logIn.mutate(values))} noValidate>
      <Stack>
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          required
          {...form.getInputProps('email')}
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          {...form.getInputProps('password')}
        />
        <FormError error={logIn.error} />
        <Button type="submit" loading={logIn.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

interface SignUpValues {
  displayName: string;
  email: string;
  password: string;
  workspaceName?: string;
  invitationToken?: string;
}

function SignUpForm({
  invitationToken,
  onJoined,
}: {
  invitationToken?: string | undefined;
  onJoined?: (() => void) | undefined;
}) {
  const utils = trpc.useUtils();
  // Exactly the server's input: a workspace name to create one, or the invitation's token to join one.
  const form = useForm<SignUpValues>({
    initialValues: invitationToken
      ? { displayName: '', email: '', password: '', invitationToken }
      : { displayName: '', email: '', password: '', workspaceName: '' },
    validate: zodResolver(signUpInput),
    validateInputOnBlur: true,
  });
  const signUp = trpc.auth.signUp.useMutation({
    // Signing up with an invitation joins its workspace already: the invite page is told first, so
    // it opens the inbox instead of accepting the (now used) invitation a second time.
    onSuccess: () => {
      onJoined?.();
      return utils.invalidate();
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <form onSubmit={form.onSubmit((values) => signUp.mutate(values))} noValidate>
      <Stack>
        <TextInput label="Your name" required {...form.getInputProps('displayName')} />
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          required
          {...form.getInputProps('email')}
        />
        <PasswordInput
          label="Password"
          description="At least 10 characters"
          autoComplete="new-password"
          required
          {...form.getInputProps('password')}
        />
        {!invitationToken && (
          <TextInput
            label="Workspace name"
            placeholder="Acme Support"
            required
            {...form.getInputProps('workspaceName')}
          />
        )}
        <FormError error={signUp.error} />
        <Button type="submit" loading={signUp.isPending}>
          {invitationToken ? 'Create account and join' : 'Create account'}
        </Button>
      </Stack>
    </form>
  );
}

function ForgotPassword() {
  const form = useForm<RouterInputs['auth']['requestPasswordReset']>({
    initialValues: { email: '' },
    validate: zodResolver(requestPasswordResetInput),
  });
  const request = trpc.auth.requestPasswordReset.useMutation({
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  if (request.isSuccess)
    return <Alert color="teal">If an account uses {form.values.email}, a reset link is on its way.</Alert>;
  return (
    <form onSubmit={form.onSubmit((values) => request.mutate(values))} noValidate>
      <Stack>
        <TextInput label="Email" type="email" required {...form.getInputProps('email')} />
        <FormError error={request.error} />
        <Button type="submit" variant="light" loading={request.isPending}>
          Send reset link
        </Button>
      </Stack>
    </form>
  );
}

type Tab = 'signin' | 'signup' | 'forgot';

function AuthLayout({
  tab,
  onTab,
  invitationToken,
  onJoined,
}: {
  tab: Tab;
  onTab: (tab: Tab) => void;
  invitationToken?: string | undefined;
  onJoined?: (() => void) | undefined;
}) {
  useDocumentTitle(tab === 'signup' ? 'Create account' : 'Sign in');
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
          <Tabs value={tab} onChange={(value) => onTab(value === 'signup' ? 'signup' : 'signin')}>
            <Tabs.List grow mb="md">
              <Tabs.Tab value="signin">Sign in</Tabs.Tab>
              <Tabs.Tab value="signup">Create account</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="signin">
              <SignInForm />
              <Anchor component="button" type="button" size="sm" mt="sm" onClick={() => onTab('forgot')}>
                Forgot your password?
              </Anchor>
            </Tabs.Panel>
            <Tabs.Panel value="signup">
              <SignUpForm invitationToken={invitationToken} onJoined={onJoined} />
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

const paths: Record<Tab, string> = { signin: '/login', signup: '/signup', forgot: '/forgot-password' };

/** /login, /signup, /forgot-password: one page whose tab is the address (keeping ?next= across tabs). */
export function AuthPage() {
  const { pathname, search } = useLocation();
  const navigate = useNavigate();
  const tab = (Object.keys(paths) as Tab[]).find((key) => paths[key] === pathname) ?? 'signin';
  return <AuthLayout tab={tab} onTab={(next) => void navigate(`${paths[next]}${search}`)} />;
}

/** Signed out at an invitation link: create an account (the default) or sign in, then join. */
export function InvitationAuthPage({
  invitationToken,
  onJoined,
}: {
  invitationToken: string;
  onJoined: () => void;
}) {
  const [tab, setTab] = useState<Tab>('signup');
  return <AuthLayout tab={tab} onTab={setTab} invitationToken={invitationToken} onJoined={onJoined} />;
}

/** /reset/:token (the emailed /reset-password?token=… lands here): choose a new password. */
export function ResetPasswordPage() {
  const token = useParams().token ?? '';
  const form = useForm<RouterInputs['auth']['resetPassword']>({
    initialValues: { token, newPassword: '' },
    validate: zodResolver(resetPasswordInput),
  });
  const reset = trpc.auth.resetPassword.useMutation({
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="lg" w="100%" maw={420}>
        <Title order={3} mb="md">
          Choose a new password
        </Title>
        {reset.isSuccess ? (
          <Alert color="teal">
            Password changed.{' '}
            <Anchor component={Link} to="/login">
              Sign in
            </Anchor>
          </Alert>
        ) : (
          <form onSubmit={form.onSubmit((values) => reset.mutate(values))} noValidate>
            <Stack>
              <PasswordInput
                label="New password"
                autoComplete="new-password"
                required
                {...form.getInputProps('newPassword')}
              />
              {/* The token is not a field the user sees: its problems (expired, malformed) go here. */}
              <FormError error={reset.error} shownFields={['newPassword']} />
              {form.errors.token && (
                <Alert color="red">This reset link is not valid: ask for a new one.</Alert>
              )}
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
