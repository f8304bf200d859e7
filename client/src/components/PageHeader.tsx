import { Group, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';

/** The browser tab's title, so tabs and history entries are told apart. */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Parley`;
  }, [title]);
}

/** A page's heading (also the tab's title), with its actions at the other end. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useDocumentTitle(title);
  return (
    <Group justify="space-between" wrap="wrap" gap="sm">
      <Title order={4}>{title}</Title>
      {children && <Group wrap="wrap">{children}</Group>}
    </Group>
  );
}
