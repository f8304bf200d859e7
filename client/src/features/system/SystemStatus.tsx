import { Badge, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { trpc } from '../../trpc.ts';

/** What the server says about itself: version, runtime and readiness, straight from tRPC. */
export function SystemStatus() {
  const info = trpc.system.info.useQuery();
  const health = trpc.system.health.useQuery(undefined, { refetchInterval: 15_000 });

  return (
    <Card withBorder padding="lg" maw={480} w="100%">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>Server</Title>
          {health.data ? (
            <Badge color={health.data.ready ? 'teal' : 'red'} variant="light" data-testid="readiness">
              {health.data.ready ? 'Ready' : 'Not ready'}
            </Badge>
          ) : (
            <Loader size="xs" />
          )}
        </Group>
        {info.error ? (
          <Text c="red">Cannot reach the server: {info.error.message}</Text>
        ) : info.data ? (
          <Text data-testid="version">
            {info.data.name} {info.data.version} on Node {info.data.node}
          </Text>
        ) : (
          <Loader size="sm" />
        )}
        {health.data && !health.data.ready && (
          <Text size="sm" c="dimmed">
            Database {health.data.checks.database ? 'reachable' : 'unreachable'}, schema{' '}
            {health.data.checks.schema ? 'current' : 'needs `npm run migrate`'}.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
