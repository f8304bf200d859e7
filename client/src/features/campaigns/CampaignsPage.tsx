import { Badge, Button, Progress, Stack, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { trpc } from '../../trpc.ts';
import { doneCount, funnel, statusColors, type Campaign } from './campaign-view.ts';

/** A row's progress: recipients through the queue, and the counts so far. */
function CampaignProgress({ campaign }: { campaign: Campaign }) {
  const report = trpc.campaign.report.useQuery({ id: campaign.id });
  if (!report.data)
    return (
      <Text size="xs" c="dimmed">
        …
      </Text>
    );
  const r = report.data;
  const total = Math.max(r.total, campaign.recipientCount);
  const done = doneCount(r);
  const { sent, delivered, read } = funnel(r);
  return (
    <Stack gap={4} miw={160}>
      <Progress
        value={total > 0 ? (done / total) * 100 : 0}
        size="sm"
        aria-label={`${done} of ${total} recipients done`}
      />
      <Text size="xs" c="dimmed">
        {done.toLocaleString()} / {total.toLocaleString()} · sent {sent.toLocaleString()} · delivered{' '}
        {delivered.toLocaleString()} · read {read.toLocaleString()} · replied {r.replied.toLocaleString()}
        {r.failed > 0 ? ` · failed ${r.failed.toLocaleString()}` : ''}
      </Text>
    </Stack>
  );
}

/** /campaigns: every campaign, newest first, with its status and progress; live over realtime. */
export function CampaignsPage() {
  const campaigns = trpc.campaign.list.useQuery();
  const navigate = useNavigate();
  return (
    <Stack gap="md">
      <PageHeader title="Campaigns">
        <Button variant="default" component={Link} to="/segments">
          Audiences
        </Button>
        <Button component={Link} to="/campaigns/new">
          New campaign
        </Button>
      </PageHeader>
      <DataTable
        query={campaigns}
        rows={campaigns.data}
        rowKey={(campaign) => campaign.id}
        minWidth={720}
        highlightOnHover
        empty="No campaigns yet: send an approved template to an audience with New campaign."
        rowProps={(campaign) => ({
          'data-testid': 'campaign-row',
          style: { cursor: 'pointer' },
          onClick: () => void navigate(`/campaigns/${campaign.id}`),
        })}
        columns={[
          {
            header: 'Campaign',
            cell: (campaign) => (
              <Stack gap={0}>
                <Text size="sm" fw={500} component={Link} to={`/campaigns/${campaign.id}`}>
                  {campaign.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {campaign.templateName} · {campaign.segmentName ?? 'deleted audience'} · +
                  {campaign.businessNumber.replace(/^\+/, '')}
                </Text>
              </Stack>
            ),
          },
          {
            header: 'Status',
            width: 110,
            cell: (campaign) => (
              <Badge color={statusColors[campaign.status]} variant="light" data-testid="campaign-status">
                {campaign.status}
              </Badge>
            ),
          },
          { header: 'Progress', width: 320, cell: (campaign) => <CampaignProgress campaign={campaign} /> },
          {
            header: 'Created',
            width: 150,
            cell: (campaign) => <Text size="xs">{new Date(campaign.createdAt).toLocaleString()}</Text>,
          },
        ]}
      />
    </Stack>
  );
}
