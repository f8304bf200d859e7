import {
  Alert,
  Button,
  Code,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { fieldErrors, formError } from '../../components/errors.ts';
import { can } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';

/** Members, and for admins invitations by link (emailed too; the link is shown once). */
export function TeamPage({ role: myRole }: { role: string }) {
  const utils = trpc.useUtils();
  const members = trpc.member.list.useQuery();
  const invite = trpc.invitation.create.useMutation({
    onSuccess: () => void utils.invitation.list.invalidate(),
  });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'admin' | 'agent' | 'viewer'>('agent');
  return (
    <Stack>
      <Title order={4}>Team</Title>
      <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data?.map((member) => (
              <Table.Tr key={member.userId}>
                <Table.Td>{member.displayName}</Table.Td>
                <Table.Td>{member.email}</Table.Td>
                <Table.Td>{member.role}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {can(myRole, 'admin') && (
        <Paper withBorder p="md">
          <form
            onSubmit={(event) => {
              event.preventDefault();
              invite.mutate({ email, role });
            }}
          >
            <Group align="flex-end" wrap="wrap">
              <TextInput
                label="Invite by email"
                type="email"
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={fieldErrors(invite.error).email}
                required
              />
              <Select
                label="Role"
                data={['admin', 'agent', 'viewer']}
                value={role}
                onChange={(value) => value && setRole(value)}
                allowDeselect={false}
              />
              <Button type="submit" loading={invite.isPending}>
                Invite
              </Button>
            </Group>
          </form>
          {formError(invite.error, ['email']) && (
            <Alert color="red" mt="sm">
              {formError(invite.error, ['email'])}
            </Alert>
          )}
          {invite.data && (
            <Text size="sm" mt="sm">
              Invitation link (also emailed):{' '}
              <Code style={{ overflowWrap: 'anywhere' }}>{invite.data.link}</Code>
            </Text>
          )}
        </Paper>
      )}
    </Stack>
  );
}
