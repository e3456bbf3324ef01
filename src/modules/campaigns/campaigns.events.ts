import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the campaigns module publishes (campaigns, returns, reviews, experiments). */
export const CAMPAIGNS_EVENTS = defineEventTypes('campaigns', {
  CAMPAIGN_CREATED: { description: 'A campaign was created.' },
  CAMPAIGN_UPDATED: { description: 'A campaign’s plan changed.' },
  CAMPAIGN_TRANSITIONED: { description: 'A campaign moved to another status.' },
  CAMPAIGN_RETURN_RECORDED: { description: 'A return was recorded for a campaign (entityType Campaign).' },
  CAMPAIGN_REVIEW_CREATED: { description: 'A campaign was reviewed.' },
  EXPERIMENT_CREATED: { description: 'An experiment was added to a campaign.' },
  EXPERIMENT_RESULTS_RECORDED: { description: 'An experiment’s results were recorded.' },
  EXPERIMENT_CONCLUDED: { description: 'An experiment was concluded with a decision.' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof CAMPAIGNS_EVENTS> {}
}
