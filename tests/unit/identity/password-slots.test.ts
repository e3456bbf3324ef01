import { passwordSlotsInUse, withPasswordSlot } from '../../../src/modules/identity/passwords';
import { AppError } from '../../../src/common/errors';

describe('password hashing cap', () => {
  it('runs at most `limit` at once, queues a few more, and answers RATE_LIMITED beyond the queue', async () => {
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      withPasswordSlot(2, async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
      });
    // 2 run, 2 × 8 wait, the rest are refused at once.
    const all = Array.from({ length: 30 }, () => task().then(() => 'done', (e: unknown) => e));
    await new Promise((r) => setImmediate(r));
    expect(passwordSlotsInUse()).toBe(2);
    while (releases.length || running) {
      releases.splice(0).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    }
    const results = await Promise.all(all);
    expect(peak).toBe(2);
    expect(results.filter((r) => r === 'done')).toHaveLength(18);
    const refused = results.filter((r) => r !== 'done') as AppError[];
    expect(refused).toHaveLength(12);
    expect(refused[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(passwordSlotsInUse()).toBe(0);
  });
});
