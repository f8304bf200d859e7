import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { DataTable } from '../../components/DataTable.tsx';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { trpc, type RouterInputs } from '../../trpc.ts';
import {
  doneCount,
  duration,
  effectiveRate,
  funnel,
  minuteLabel,
  percent,
  statusColors,
  type Campaign,
  type Report,
} from './campaign-view.ts';

type RecipientStatus = NonNullable<RouterInputs['campaign']['recipients']['status']>;

function Stat({ label, value, hint }: { label: string; value: number | string; hint?: string }) {
  return (
    <Card withBorder padding="sm" data-testid={`stat-${label.toLowerCase()}`}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} size="xl">
        {typeof value === 'number' ? value.toLocaleString() : value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

function ReportView({ campaign, report }: { campaign: Campaign; report: Report }) {
  const total = Math.max(report.total, campaign.recipientCount);
  const done = doneCount(report);
  const { sent, delivered, read } = funnel(report);
  const left = report.pending + report.queued;
  const rate = effectiveRate(campaign.throughputMps, campaign.maxRate);
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Progress.Root size="lg" aria-label="Progress">
          <Progress.Section value={total ? (read / total) * 100 : 0} color="teal" />
          <Progress.Section value={total ? ((delivered - read) / total) * 100 : 0} color="green" />
          <Progress.Section value={total ? ((sent - delivered) / total) * 100 : 0} color="blue" />
          <Progress.Section value={total ? (report.failed / total) * 100 : 0} color="red" />
          <Progress.Section
            value={total ? ((report.skipped + report.cancelled) / total) * 100 : 0}
            color="gray"
          />
        </Progress.Root>
        <Text size="sm" data-testid="campaign-progress">
          {done.toLocaleString()} of {total.toLocaleString()} recipients done
          {left > 0 && ['running', 'scheduled'].includes(report.status)
            ? ` · about ${duration(left / rate)} to go at ${rate} msg/s`
            : ''}
        </Text>
      </Stack>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        <Stat
          label="Queued"
          value={report.pending + report.queued}
          hint={`${report.queued} with the sender`}
        />
        <Stat label="Sent" value={sent} />
        <Stat label="Delivered" value={delivered} hint={percent(delivered, sent)} />
        <Stat label="Read" value={read} hint={percent(read, delivered)} />
        <Stat label="Replied" value={report.replied} hint={percent(report.replied, delivered)} />
        <Stat label="Failed" value={report.failed} hint={percent(report.failed, sent + report.failed)} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder padding="sm">
          <Text fw={600} size="sm" mb="xs">
            Failures by reason
          </Text>
          {report.failures.length === 0 ? (
            <Text size="sm" c="dimmed">
              None
              {report.skipped > 0
                ? `; ${report.skipped} skipped (no value for a variable, or outside the window at the end)`
                : ''}
              .
            </Text>
          ) : (
            <Table data-testid="failures">
              <Table.Tbody>
                {report.failures.map((failure) => (
                  <Table.Tr key={`${failure.code}-${failure.message}`}>
                    <Table.Td w={70}>{failure.code ?? '–'}</Table.Td>
                    <Table.Td>{failure.message ?? 'Unknown'}</Table.Td>
                    <Table.Td w={60} ta="right">
                      {failure.count.toLocaleString()}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder padding="sm">
          <Text fw={600} size="sm" mb="xs">
            Cost estimate
          </Text>
          <Text fw={700} size="lg" data-testid="cost-estimate">
            ≈ US$ {report.costUsd.toFixed(2)}
          </Text>
          <Text size="xs" c="dimmed">
            {report.pricing
              .map((p) => `${p.messages.toLocaleString()} ${p.category.toLowerCase()}`)
              .join(' · ') || 'Nothing charged yet'}
            . Meta&apos;s list prices; the real price depends on each recipient&apos;s country.
          </Text>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

function Recipients({ id }: { id: string }) {
  const [status, setStatus] = useState<RecipientStatus | null>(null);
  const recipients = trpc.campaign.recipients.useQuery({ id, ...(status ? { status } : {}) });
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Text fw={600}>Recipients</Text>
        <Group gap="xs">
          <Select
            aria-label="Recipients with status"
            placeholder="Every status"
            clearable
            w={170}
            data={['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled']}
            value={status}
            onChange={(value) => setStatus(value)}
          />
          <Button component="a" href={`/api/campaigns/${id}/recipients.csv`} download variant="light">
            Export CSV
          </Button>
        </Group>
      </Group>
      <DataTable
        query={recipients}
        rows={recipients.data}
        rowKey={(row) => row.contactId}
        minWidth={560}
        striped
        empty="No recipients with this status."
        columns={[
          { header: 'Name', cell: (row) => row.name ?? '–' },
          { header: 'Phone', cell: (row) => (row.waId ? `+${row.waId}` : '–') },
          { header: 'Status', width: 100, cell: (row) => row.status },
          {
            header: 'Error',
            cell: (row) => (row.errorCode ? `${row.errorCode} ${row.errorMessage ?? ''}` : ''),
          },
        ]}
      />
      {recipients.data?.length === 200 && (
        <Text size="xs" c="dimmed">
          The first 200 are shown; the export has every one.
        </Text>
      )}
    </Stack>
  );
}

/** /campaigns/:id: a campaign's live progress (over realtime), its controls and its report. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const utils = trpc.useUtils();
  const campaign = trpc.campaign.byId.useQuery({ id });
  const report = trpc.campaign.report.useQuery({ id });
  const changed = {
    onSuccess: async () => {
      await utils.campaign.invalidate();
    },
  };
  const pause = trpc.campaign.pause.useMutation(changed);
  const resume = trpc.campaign.resume.useMutation(changed);
  const cancel = trpc.campaign.cancel.useMutation(changed);
  const c = campaign.data;
  if (campaign.error) {
    return (
      <Alert color="red" title="This campaign could not be shown">
        {campaign.error.message}{' '}
        <Anchor component={Link} to="/campaigns">
          All campaigns
        </Anchor>
      </Alert>
    );
  }
  if (!c) return null;
  const status = report.data?.status ?? c.status;
  const sendWindow =
    c.windowStartMinute !== null && c.windowEndMinute !== null
      ? `${minuteLabel(c.windowStartMinute)}–${minuteLabel(c.windowEndMinute)} recipient's time`
      : 'any time';
  return (
    <Stack gap="md">
      <PageHeader title={c.name}>
        <Badge color={statusColors[status]} size="lg" variant="light" data-testid="campaign-status">
          {status}
        </Badge>
        {(status === 'running' || status === 'scheduled') && (
          <Button variant="default" loading={pause.isPending} onClick={() => pause.mutate({ id })}>
            Pause
          </Button>
        )}
        {status === 'paused' && (
          <Button loading={resume.isPending} onClick={() => resume.mutate({ id })}>
            Resume
          </Button>
        )}
        {['running', 'scheduled', 'paused'].includes(status) && (
          <Button
            color="red"
            variant="light"
            loading={cancel.isPending}
            onClick={() => {
              if (window.confirm('Cancel this campaign? Recipients not yet sent to will not get it.'))
                cancel.mutate({ id });
            }}
          >
            Cancel campaign
          </Button>
        )}
      </PageHeader>
      <Text size="sm" c="dimmed">
        <Anchor component={Link} to="/campaigns" size="sm">
          Campaigns
        </Anchor>{' '}
        · {c.templateName} ({c.templateLanguage}) to {c.segmentName ?? 'a deleted audience'} from +
        {c.businessNumber.replace(/^\+/, '')} ·{' '}
        {c.scheduledAt ? `scheduled ${new Date(c.scheduledAt).toLocaleString()}` : 'sent at once'} ·{' '}
        {sendWindow}
        {c.maxRate ? ` · at most ${c.maxRate} msg/s` : ''}
      </Text>
      {c.statusReason && (
        <Alert color={status === 'paused' || status === 'failed' ? 'orange' : 'blue'}>{c.statusReason}</Alert>
      )}
      <FormError error={pause.error ?? resume.error ?? cancel.error} />
      {report.data ? <ReportView campaign={c} report={report.data} /> : null}
      <Recipients id={id} />
    </Stack>
  );
}
