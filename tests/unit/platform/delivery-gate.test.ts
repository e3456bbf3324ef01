import { DeliveryGate } from '../../../src/server/fanout';

/** The fan-out's gate: at most `size` deliveries start per turn of the event loop, and at most `size` are in progress. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DeliveryGate', () => {
  it('starts at most `size` deliveries per turn, the others in later turns, in order', async () => {
    const gate = new DeliveryGate(3);
    const started: number[] = [];
    const turns: number[][] = [];
    const deliveries = Array.from({ length: 8 }, async (_, i) => {
      const wait = gate.acquire();
      if (wait) await wait;
      started.push(i);
      // Delivered at once: the place is free again.
      gate.release();
    });
    for (let t = 0; t < 5; t++) {
      await Promise.resolve();
      turns.push(started.splice(0));
      await turn();
    }
    await Promise.all(deliveries);
    expect(turns.filter((t) => t.length).map((t) => t.length)).toEqual([3, 3, 2]);
    expect(turns.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps at most `size` deliveries in progress: a place frees when one ends', async () => {
    const gate = new DeliveryGate(2);
    let inProgress = 0;
    let most = 0;
    const ends: Array<() => void> = [];
    const deliveries = Array.from({ length: 5 }, async () => {
      const wait = gate.acquire();
      if (wait) await wait;
      inProgress += 1;
      most = Math.max(most, inProgress);
      await new Promise<void>((resolve) => ends.push(resolve));
      inProgress -= 1;
      gate.release();
    });
    for (let t = 0; t < 4; t++) await turn();
    expect(inProgress).toBe(2);
    expect(gate.stats()).toEqual({ inFlight: 2, waiting: 3 });
    while (ends.length || inProgress) {
      ends.shift()?.();
      await turn();
      await turn();
    }
    await Promise.all(deliveries);
    expect(most).toBe(2);
    expect(gate.stats()).toEqual({ inFlight: 0, waiting: 0 });
  });
});
