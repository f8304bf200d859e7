import { Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';

export function NotFound() {
  return (
    <Stack>
      <PageHeader title="Page not found" />
      <Text>
        Nothing lives at this address.{' '}
        <Anchor component={Link} to="/inbox">
          Go to the inbox
        </Anchor>
      </Text>
    </Stack>
  );
}
