import {
  Alert,
  Anchor,
  Button,
  FileInput,
  Group,
  Paper,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  TagsInput,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { ImportPreview } from '../../../../server/domains/contacts/import/preview.ts';
import { formError } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { can } from '../../components/roles.ts';
import { trpc, type RouterInputs } from '../../trpc.ts';
import { usePollWhileOffline } from '../realtime/live.ts';
import { useRole } from '../session/session.ts';
import { countryName, countryOptions } from './countries.ts';

/** What POST /api/contacts/imports answers: the stored upload and its preview (server/http/contacts.ts). */
type Upload = ImportPreview & { id: string; filename: string; byteSize: number };
type Target = NonNullable<RouterInputs['contactImport']['start']['columns'][number]>;

const fields: { value: Target; label: string }[] = [
  { value: 'phone', label: 'Phone number' },
  { value: 'name', label: 'Name' },
  { value: 'email', label: 'Email' },
  { value: 'tags', label: 'Tags (comma-separated)' },
  { value: 'notes', label: 'Notes' },
  { value: 'optIn', label: 'Opted in (yes/no)' },
  { value: 'optOut', label: 'Opted out (yes/no)' },
];
const ignore = '__ignore';

async function uploadCsv(file: File): Promise<Upload> {
  const body = new FormData();
  body.append('file', file);
  const response = await fetch('/api/contacts/imports', { method: 'POST', body });
  const answer = (await response.json().catch(() => ({}))) as Partial<Upload> & { message?: string };
  if (!response.ok) throw new Error(answer.message ?? `The upload failed (${response.status}).`);
  return answer as Upload;
}

/** Step 1: the file. Excel's CSVs (BOM, ";" and CRLF) are read as they are. */
function UploadStep({ onUploaded }: { onUploaded: (upload: Upload) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      onUploaded(await uploadCsv(file));
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The upload failed.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <Text size="sm" c="dimmed">
          A CSV with a header row and one contact per row: a phone number column is required. Files exported
          from Excel (with “;” separators) work as they are. Up to 200 MB.
        </Text>
        <FileInput
          label="CSV file"
          placeholder="Choose a file"
          accept=".csv,text/csv,text/plain"
          value={file}
          onChange={setFile}
          clearable
          maw={420}
          data-testid="import-file"
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group>
          <Button disabled={!file} loading={busy} onClick={() => void send()}>
            Upload and preview
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** Step 2: what each column is, with the first rows, what to do with known numbers, and the country. */
function MappingStep({ upload, onStarted }: { upload: Upload; onStarted: (id: string) => void }) {
  const role = useRole();
  const utils = trpc.useUtils();
  const definitions = trpc.contactAttribute.list.useQuery().data ?? [];
  const settings = trpc.contactSettings.get.useQuery();
  const [columns, setColumns] = useState<(Target | null)[]>(upload.suggested as (Target | null)[]);
  const [existing, setExisting] = useState<'update' | 'skip'>('update');
  const [tags, setTags] = useState<string[]>([]);
  const [country, setCountry] = useState<string | null>(null);
  const saveSettings = trpc.contactSettings.set.useMutation();
  const start = trpc.contactImport.start.useMutation({ onSuccess: (started) => onStarted(started.id) });
  const targets = [
    { value: ignore, label: 'Ignore this column' },
    ...fields,
    ...definitions.map((d) => ({ value: `attr:${d.key}`, label: `Attribute: ${d.label}` })),
  ];
  const chosenCountry = country ?? settings.data?.defaultCountry ?? null;
  const run = async () => {
    // The default country is the workspace's (the import reads it); admins may change it here.
    if (settings.data && chosenCountry !== settings.data.defaultCountry) {
      await saveSettings.mutateAsync({ ...settings.data, defaultCountry: chosenCountry });
      void utils.contactSettings.get.invalidate();
    }
    start.mutate({ id: upload.id, columns, existing, tags });
  };
  const phoneColumns = columns.filter((c) => c === 'phone').length;
  return (
    <Stack>
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Title order={5}>Columns of {upload.filename}</Title>
          <Text size="sm" c="dimmed">
            Choose what each column holds. The first rows of the file are shown below each column.
          </Text>
          <Table.ScrollContainer minWidth={Math.max(360, upload.headers.length * 170)}>
            <Table withTableBorder withColumnBorders data-testid="import-preview">
              <Table.Thead>
                <Table.Tr>
                  {upload.headers.map((header, index) => (
                    <Table.Th key={index} miw={160}>
                      <Stack gap={4}>
                        <Text size="sm" fw={700}>
                          {header}
                        </Text>
                        <Select
                          aria-label={`Column ${header}`}
                          size="xs"
                          data={targets}
                          value={columns[index] ?? ignore}
                          allowDeselect={false}
                          onChange={(value) =>
                            setColumns(
                              columns.map((c, i) =>
                                i === index ? (value === ignore || !value ? null : (value as Target)) : c,
                              ),
                            )
                          }
                        />
                      </Stack>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {upload.rows.map((row, r) => (
                  <Table.Tr key={r}>
                    {upload.headers.map((_, c) => (
                      <Table.Td key={c}>
                        <Text size="sm" c={columns[c] ? undefined : 'dimmed'}>
                          {row[c] ?? ''}
                        </Text>
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      </Paper>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Numbers that are already contacts
            </Text>
            <SegmentedControl
              data={[
                { value: 'update', label: 'Update them' },
                { value: 'skip', label: 'Skip them' },
              ]}
              value={existing}
              onChange={(value) => setExisting(value)}
            />
          </Stack>
          <Select
            label="Default country"
            description="For numbers written without a country code"
            data={countryOptions}
            searchable
            clearable
            value={chosenCountry}
            onChange={setCountry}
            disabled={!can(role, 'admin')}
          />
          <TagsInput label="Tag every imported contact" value={tags} onChange={setTags} maxTags={20} />
        </SimpleGrid>
      </Paper>
      {phoneColumns !== 1 && (
        <Text size="sm" c="orange">
          Choose exactly one column with the phone numbers.
        </Text>
      )}
      {(start.error || saveSettings.error) && (
        <Alert color="red" role="alert">
          {formError(start.error ?? saveSettings.error)}
        </Alert>
      )}
      <Group>
        <Button
          disabled={phoneColumns !== 1}
          loading={start.isPending || saveSettings.isPending}
          onClick={() => void run()}
        >
          Import
        </Button>
        <Text size="sm" c="dimmed">
          {chosenCountry ? `Numbers without a country code are read as ${countryName(chosenCountry)}.` : ''}
        </Text>
      </Group>
    </Stack>
  );
}

/** Steps 3 and 4: progress over realtime, then the summary with the rows that failed. */
function ProgressStep({ id, estimatedRows }: { id: string; estimatedRows: number }) {
  const poll = usePollWhileOffline();
  const job = trpc.contactImport.byId.useQuery(
    { id },
    {
      refetchInterval: (query) =>
        query.state.data && ['completed', 'failed'].includes(query.state.data.status) ? false : poll,
    },
  );
  const data = job.data;
  if (!data) return <Text size="sm">Starting…</Text>;
  if (data.status === 'failed')
    return (
      <Alert color="red" title="Nothing was imported" role="alert" data-testid="import-failed">
        {data.error} The import is all or nothing, so no contact was added or changed.{' '}
        <Anchor component={Link} to="/contacts/import" reloadDocument>
          Start again
        </Anchor>
      </Alert>
    );
  if (data.status !== 'completed') {
    const percent = Math.min(99, Math.round((100 * data.processedRows) / Math.max(estimatedRows, 1)));
    return (
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Text size="sm">
            {data.status === 'queued'
              ? 'Waiting for a worker…'
              : `Importing: ${data.processedRows.toLocaleString()} rows read. Contacts appear all at once when it finishes.`}
          </Text>
          <Progress value={percent} animated aria-label="Import progress" data-testid="import-progress" />
        </Stack>
      </Paper>
    );
  }
  return (
    <Paper withBorder p="md" data-testid="import-summary">
      <Stack gap="xs">
        <Title order={5}>Import finished</Title>
        <Progress value={100} color="green" aria-label="Import progress" />
        <SimpleGrid cols={{ base: 2, sm: 5 }}>
          <Text size="sm">Rows: {data.totalRows.toLocaleString()}</Text>
          <Text size="sm">Added: {data.insertedRows.toLocaleString()}</Text>
          <Text size="sm">Updated: {data.updatedRows.toLocaleString()}</Text>
          <Text size="sm">Skipped: {data.skippedRows.toLocaleString()}</Text>
          <Text size="sm" c={data.failedRows ? 'red' : undefined}>
            Failed: {data.failedRows.toLocaleString()}
          </Text>
        </SimpleGrid>
        {data.failedRows > 0 && (
          <Text size="sm">
            The rows that failed were left out, with why:{' '}
            <Anchor href={`/api/contacts/imports/${id}/errors.csv`} download data-testid="errors-csv">
              download them as CSV
            </Anchor>
            , fix them and import that file again.
          </Text>
        )}
        <Group>
          <Button component={Link} to="/contacts">
            See the contacts
          </Button>
          <Button component={Link} to="/contacts/import" reloadDocument variant="default">
            Import another file
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** Rows in the file, estimated from its size and the preview's rows (the total is known only at the end). */
function estimateRows(upload: Upload): number {
  const sample = upload.rows.map((row) => row.join(upload.delimiter).length + 2);
  const perRow = sample.length ? sample.reduce((a, b) => a + b, 0) / sample.length : 50;
  return Math.max(1, Math.round(upload.byteSize / perRow) - 1);
}

/** /contacts/import: upload → columns → run with progress → summary. */
export function ImportWizard() {
  const [upload, setUpload] = useState<Upload | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  return (
    <Stack>
      <Anchor component={Link} to="/contacts" size="sm">
        ← Contacts
      </Anchor>
      <PageHeader title="Import contacts" />
      {!upload && <UploadStep onUploaded={setUpload} />}
      {upload && !importId && <MappingStep upload={upload} onStarted={setImportId} />}
      {upload && importId && <ProgressStep id={importId} estimatedRows={estimateRows(upload)} />}
    </Stack>
  );
}
