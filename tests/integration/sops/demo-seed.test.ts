import { toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_DAYS, logInDemo } from '../../support/demo';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

describe.each(DEMO_DAYS)('demo RACI matrix and SOPs loaded on %s', (today) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());
  const logIn = (email: string) => logInDemo(app, email);

  it('hold the 超级品牌日 matrix with one problem and the two SOPs, one with two published versions', async () => {
    expect(await seedDemo(app.ds, today)).toBe(true);
    expect(await seedDemo(app.ds, today)).toBe(false);
    const member = await logIn(DEMO.users.member.email);
    const matrix = ok(
      await app.gql(`query($id: ID!) { node(id: $id) { ... on RaciMatrix { name isValid problems { activity { name } problem } subject { id ... on Campaign { name } } activities { name problems assignments { role } } } } }`, {
        id: toGlobalId('RaciMatrix', DEMO.sops.raciSuperBrandDay),
      }, member),
    ).node;
    expect(matrix.name).toBe('超级品牌日 RACI');
    expect(matrix.activities.map((a: { name: string }) => a.name)).toEqual(['平台流量', 'KOL 合作', '用户激励', '物料制作']);
    // Exactly one problem to learn from: two people accountable for 用户激励.
    expect(matrix.isValid).toBe(false);
    expect(matrix.problems).toEqual([{ activity: { name: '用户激励' }, problem: 'MULTIPLE_ACCOUNTABLE' }]);
    expect(matrix.activities.map((a: { problems: string[] }) => a.problems)).toEqual([[], [], ['MULTIPLE_ACCOUNTABLE'], []]);
    // Its subject resolves through node(id:) to the campaigns module's demo campaign.
    expect(matrix.subject).toEqual({ id: toGlobalId('Campaign', DEMO.campaigns.superBrandDay), name: '超级品牌日' });
    // The subject is stored as the campaign; filtering by it finds the matrix.
    const bySubject = ok(
      await app.gql(`query($f: RaciMatricesFilter) { raciMatrices(filter: $f) { nodes { id } } }`, { f: { subjectId: toGlobalId('Campaign', DEMO.campaigns.superBrandDay) } }, member),
    ).raciMatrices.nodes;
    expect(bySubject).toEqual([{ id: toGlobalId('RaciMatrix', DEMO.sops.raciSuperBrandDay) }]);

    const SOP = `query($id: ID!) { node(id: $id) { ... on Sop { title status purpose scope reviewDueOn raciMatrix { id } currentVersion { number notes publishedAt steps { title role qualityStandard } }
      versions(first: 5) { nodes { number changeNote approvedBy { displayName } } } pendingAcknowledgements { displayName } } } }`;
    const complaints = ok(await app.gql(SOP, { id: toGlobalId('Sop', DEMO.sops.complaintHandling) }, member)).node;
    expect(complaints).toMatchObject({ title: '用户投诉处理', status: 'PUBLISHED', currentVersion: { number: 2 } });
    expect(complaints.versions.nodes.map((v: { number: number }) => v.number)).toEqual([2, 1]);
    // Published before today, its review due in the coming weeks.
    expect(complaints.currentVersion.publishedAt.slice(0, 10) < today && complaints.reviewDueOn > today).toBe(true);
    expect(complaints.currentVersion.steps[0]).toEqual({ title: '受理投诉', role: '客服专员', qualityStandard: '12小时内首次响应；工单信息完整' });
    // No RACI matrix: the owner's squad mates must read version 2; the lead already did.
    expect(complaints.pendingAcknowledgements.map((u: { displayName: string }) => u.displayName).sort()).toEqual(
      [DEMO.users.owner.name, DEMO.users.member.name, DEMO.users.finance.name].sort(),
    );
    const execution = ok(await app.gql(SOP, { id: toGlobalId('Sop', DEMO.sops.campaignExecution) }, member)).node;
    const task = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Task { title sopStep { title version { sop { title } } } } } }`, {
      id: toGlobalId('Task', '00000000-0000-4000-8000-000000000323'),
    }, member)).node;
    expect(task).toEqual({ title: '第4周：激励效果复盘', sopStep: { title: '复盘', version: { sop: { title: '活动执行' } } } });
    expect(execution).toMatchObject({ title: '活动执行', raciMatrix: { id: toGlobalId('RaciMatrix', DEMO.sops.raciSuperBrandDay) }, currentVersion: { number: 1 } });
    // The matrix's people (the viewer left out) who have not read it: the member read it.
    expect(execution.pendingAcknowledgements.map((u: { displayName: string }) => u.displayName).sort()).toEqual(
      [DEMO.users.owner.name, DEMO.users.lead.name, DEMO.users.finance.name].sort(),
    );
  });
});
