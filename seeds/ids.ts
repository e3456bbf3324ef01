/** Fixed ids of the demo data, shared by seeds, tests and docs. */
export const DEMO = {
  organizationId: '00000000-0000-4000-8000-000000000001',
  organizationSlug: 'demo',
  password: 'plangraph-demo',
  /** One login per role (README lists them). */
  users: {
    owner: { id: '00000000-0000-4000-8000-000000000101', email: 'demo@plangraph.dev', name: '王敏 (Wang Min)', role: 'OWNER' },
    finance: { id: '00000000-0000-4000-8000-000000000102', email: 'finance@plangraph.dev', name: '李娜', role: 'FINANCE' },
    lead: { id: '00000000-0000-4000-8000-000000000103', email: 'lead@plangraph.dev', name: '张伟', role: 'SQUAD_LEAD' },
    member: { id: '00000000-0000-4000-8000-000000000104', email: 'member@plangraph.dev', name: 'Emily Carter', role: 'MEMBER' },
    viewer: { id: '00000000-0000-4000-8000-000000000105', email: 'viewer@plangraph.dev', name: 'Board Viewer', role: 'VIEWER' },
  },
  /** The Q2 content-platform plan (Chinese) and one English squad. */
  plan: {
    cycleQ2: '00000000-0000-4000-8000-000000000201',
    squadCreators: '00000000-0000-4000-8000-000000000211',
    squadCheckout: '00000000-0000-4000-8000-000000000212',
    sprintApril: '00000000-0000-4000-8000-000000000221',
    sprintMay: '00000000-0000-4000-8000-000000000222',
    sprintCheckout: '00000000-0000-4000-8000-000000000223',
    objectiveCreators: '00000000-0000-4000-8000-000000000231',
    objectiveCheckout: '00000000-0000-4000-8000-000000000232',
    krPosts: '00000000-0000-4000-8000-000000000241',
    krRetention: '00000000-0000-4000-8000-000000000242',
    krConversion: '00000000-0000-4000-8000-000000000243',
    krRefunds: '00000000-0000-4000-8000-000000000244',
  },
  /** Budgets for finance: the quarterly organisation budget and the creators squad's budget. */
  budgets: {
    organizationQ2: '00000000-0000-4000-8000-000000000401',
    creatorsQ2: '00000000-0000-4000-8000-000000000402',
  },
  /** Campaigns: 超级品牌日 (Super Brand Day) and the checkout A/B experiment. */
  campaigns: {
    superBrandDay: '00000000-0000-4000-8000-000000000501',
    checkoutExperiment: '00000000-0000-4000-8000-000000000502',
  },
  /** RACI and SOPs: the 超级品牌日 matrix and the two SOPs. */
  sops: {
    raciSuperBrandDay: '00000000-0000-4000-8000-000000000601',
    complaintHandling: '00000000-0000-4000-8000-000000000611',
    campaignExecution: '00000000-0000-4000-8000-000000000612',
  },
} as const;

/** Fixed ids for the plan's rows nobody refers to (squad members, check-ins, tasks): 0000…03xx. */
export const planRowId = (n: number) => `00000000-0000-4000-8000-${String(300 + n).padStart(12, '0')}`;
