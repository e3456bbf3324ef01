import { connectionPage, type ExportSource } from '../exports';

interface CampaignRow {
  id: string;
  name: string;
  status: string;
  startsOn: string;
  endsOn: string;
  cost: string | null;
  totalReturn: string;
  roi: string | null;
  squad: { name: string };
  budgetLine: { name: string; budget: { name: string; currency: string } } | null;
}

/** `GET /export/campaigns.csv|.xlsx`: `Query.campaigns`, its filter's fields as query parameters. Money is in the currency of the campaign's budget line. */
export const campaignsExport: ExportSource<CampaignRow> = {
  name: 'campaigns',
  sheet: 'Campaigns',
  document: `query ExportCampaigns($filter: CampaignsFilter, $first: Int, $after: String) {
    campaigns(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id name status startsOn endsOn cost totalReturn roi squad { name }
        budgetLine { name budget { name currency } }
      } }
    }
  }`,
  filterVariable: 'filter',
  read: (data) => {
    const { nodes, after } = connectionPage<CampaignRow>(data.campaigns);
    return { rows: nodes, after };
  },
  columns: [
    { header: 'Campaign', type: 'text', value: (c) => c.name },
    { header: 'Squad', type: 'text', value: (c) => c.squad.name },
    { header: 'Status', type: 'text', value: (c) => c.status },
    { header: 'Starts on', type: 'date', value: (c) => c.startsOn },
    { header: 'Ends on', type: 'date', value: (c) => c.endsOn },
    { header: 'Budget', type: 'text', value: (c) => c.budgetLine?.budget.name },
    { header: 'Budget line', type: 'text', value: (c) => c.budgetLine?.name },
    { header: 'Cost', type: 'money', value: (c) => c.cost, currency: (c) => c.budgetLine?.budget.currency },
    { header: 'Total return', type: 'money', value: (c) => c.totalReturn, currency: (c) => c.budgetLine?.budget.currency },
    { header: 'Currency', type: 'text', value: (c) => c.budgetLine?.budget.currency },
    { header: 'ROI', type: 'number', value: (c) => c.roi },
    { header: 'Campaign id', type: 'text', value: (c) => c.id },
  ],
};
