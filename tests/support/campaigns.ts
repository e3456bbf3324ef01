import type { Caller, TestApp } from './test-app';
import { ok } from './test-app';

export const CREATE_CAMPAIGN = /* GraphQL */ `
  mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id status version } } }
`;
export const TRANSITION = /* GraphQL */ `
  mutation($i: TransitionCampaignInput!) { transitionCampaign(input: $i) { campaign { id status version } } }
`;
export const RECORD_RETURN = /* GraphQL */ `
  mutation($i: RecordCampaignReturnInput!) {
    recordCampaignReturn(input: $i) {
      campaignReturn { id kind amount basis { gmv grossMargin newMembers lifetimeValue impressions cpm } recordedBy { id } recordedAt }
      campaign { id totalReturn cost roi }
    }
  }
`;

/** A campaign over GraphQL (the caller leads the squad, or is OWNER/ADMIN). */
export async function createCampaign(app: TestApp, as: Caller, input: Record<string, unknown>): Promise<{ id: string; version: number }> {
  return ok(
    await app.gql(CREATE_CAMPAIGN, { i: { name: '超级品牌日', startsOn: '2026-05-01', endsOn: '2026-05-31', ...input } }, as),
  ).createCampaign.campaign;
}

export function transition(app: TestApp, as: Caller, id: string, to: string) {
  return app.gql(TRANSITION, { i: { id, to } }, as);
}
