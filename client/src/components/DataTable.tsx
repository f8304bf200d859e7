import { Alert, Button, Center, Loader, Table, Text, type TableProps } from '@mantine/core';
import type { CSSProperties, HTMLAttributes, ReactNode } from 'react';
import { formError, type ClientError } from './errors.ts';

/** The part of a tRPC query a list needs to say where it stands. */
export interface QueryLike {
  isPending: boolean;
  error: ClientError;
  refetch: () => unknown;
}

/**
 * Loading, failed (with the server's reason and a retry) or empty; otherwise `children`. Every list in
 * the app goes through here, so none of them is blank while it loads or silent when it fails.
 */
export function QueryState({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: QueryLike;
  isEmpty: boolean;
  /** What an empty list means to the user, and what to do about it. */
  empty: ReactNode;
  children: ReactNode;
}) {
  if (query.error) {
    return (
      <Alert color="red" title="Could not load this list" role="alert">
        {formError(query.error) ?? query.error.message}{' '}
        <Button size="compact-xs" variant="light" color="red" onClick={() => void query.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  }
  if (query.isPending) {
    return (
      <Center p="md">
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  }
  if (isEmpty) return <Text c="dimmed">{empty}</Text>;
  return <>{children}</>;
}

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  width?: number;
  style?: CSSProperties;
}

/** A table of query results that scrolls sideways inside itself (never the page) below `minWidth`. */
export function DataTable<T>({
  query,
  rows,
  columns,
  rowKey,
  empty,
  minWidth,
  rowProps,
  ...tableProps
}: {
  query: QueryLike;
  rows: readonly T[] | undefined;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  empty: ReactNode;
  minWidth: number;
  /** Extra attributes per row (a click handler, a test id). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
} & Omit<TableProps, 'children'>) {
  return (
    <QueryState query={query} isEmpty={rows?.length === 0} empty={empty}>
      <Table.ScrollContainer minWidth={minWidth}>
        <Table {...tableProps}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column, index) => (
                <Table.Th key={index} w={column.width}>
                  {column.header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows?.map((row) => (
              <Table.Tr key={rowKey(row)} {...rowProps?.(row)}>
                {columns.map((column, index) => (
                  <Table.Td key={index} style={column.style}>
                    {column.cell(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </QueryState>
  );
}
