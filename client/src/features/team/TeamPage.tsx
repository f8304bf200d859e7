import { Button, Code, Group, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { inviteInput } from '../../../../server/domains/members/schemas.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { can } from '../../components/roles.ts';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';
import { useRole } from '../session/session.ts';

type Member = RouterOutputs['member']['list'][number];
type Invitation = RouterInputs['invitation']['create'];
const invitableRoles: Invitation['role'][] = ['admin', 'agent', 'viewer'];

const columns: Column<Member>[] = [
  { header: 'Name', cell: (member) => member.displayName },
  { header: 'Email', cell: (member) => member.email },
  { header: 'Role', cell: (member) => member.role },
];

function InviteForm() {
  const utils = trpc.useUtils();
  const form = useForm<Invitation>({
    initialValues: { email: '', role: 'agent' },
    validate: zodResolver(inviteInput),
  });
  const invite = trpc.invitation.create.useMutation({
    onSuccess: () => void utils.invitation.list.invalidate(),
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={form.onSubmit((values) => invite.mutate(values))} noValidate>
        <Group align="flex-start" wrap="wrap">
          <TextInput label="Invite by email" type="email" required {...form.getInputProps('email')} />
          <Select label="Role" data={invitableRoles} allowDeselect={false} {...form.getInputProps('role')} />
          <Button type="submit" loading={invite.isPending} mt={24}>
            Invite
          </Button>
        </Group>
      </form>
      <FormError error={invite.error} shownFields={['email', 'role']} mt="sm" />
      {invite.data && (
        <Text size="sm" mt="sm">
          Invitation link (also emailed): <Code style={{ overflowWrap: 'anywhere' }}>{invite.data.link}</Code>
        </Text>
      )}
    </Paper>
  );
}

/** Members, and for admins invitations by link (emailed too; the link is shown once). */
export function TeamPage() {
  const members = trpc.member.list.useQuery();
  const canInvite = can(useRole(), 'admin');
  return (
    <Stack>
      <PageHeader title="Team" />
      <DataTable
        query={members}
        rows={members.data}
        columns={columns}
        rowKey={(member) => member.userId}
        empty="No members."
        minWidth={420}
      />
      {canInvite && <InviteForm />}
    </Stack>
  );
}
