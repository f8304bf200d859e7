import { Center, Stack, Text, Title } from '@mantine/core';
import { SystemStatus } from './features/system/SystemStatus.tsx';

export function App() {
  return (
    <Center mih="100vh" p="md">
      <Stack align="center" gap="lg">
        <Stack align="center" gap={4}>
          <Title order={1}>Parley</Title>
          <Text c="dimmed">Your team&apos;s WhatsApp Business inbox</Text>
        </Stack>
        <SystemStatus />
      </Stack>
    </Center>
  );
}
