// Iterative stratification for multi-label data (Sechidis, Tsoumakas, Vlahavas 2011, "On the
// stratification of multi-label data", ECML PKDD, Algorithm 1), generalised to units that weigh
// more than one example: a unit is a group of images that must stay together, its label counts are
// the summed counts of its images and its size is its number of images.
//
// The algorithm: take the label with the fewest unassigned examples (rare classes first, while every
// split still has room for them); give each unit carrying it to the split that most wants that label
// (largest remaining desired count), ties to the split that most wants examples at all, then at
// random. One addition to the paper, stated because it changes results on tiny data: while a label
// still has at least as many unassigned units as there are splits lacking it, the units go to the
// splits lacking it that still have room (want more images), so a class in 2 images reaches val
// instead of both landing in train (Sechidis would send both to train whenever val's share is small).
/** A seeded generator of uniform numbers in [0, 1) (seedrandom in practice). */
export type Rng = () => number;

export interface Unit {
  /** Number of images in the unit. */
  size: number;
  /** Count per label id: how many of its images carry the label. */
  counts: Map<number, number>;
}

const EPS = 1e-9;

/**
 * Split index (into `ratios`) per unit. Splits with ratio 0 receive nothing. `rng` breaks ties and
 * sets the order units of one label are visited in, so the same seed gives the same assignment.
 */
export function iterativeStratification(units: readonly Unit[], ratios: readonly number[], rng: Rng): number[] {
  const open = ratios.map((_, j) => j).filter((j) => ratios[j] > 0);
  const total = units.reduce((s, u) => s + u.size, 0);
  const labelTotal = new Map<number, number>();
  for (const u of units) for (const [l, c] of u.counts) labelTotal.set(l, (labelTotal.get(l) ?? 0) + c);
  const desired = ratios.map((r) => r * total);
  const desiredLabel = ratios.map((r) => new Map([...labelTotal].map(([l, c]) => [l, r * c])));
  const present = ratios.map(() => new Map<number, number>());
  const remainingLabel = new Map(labelTotal);
  const out = new Array<number>(units.length).fill(-1);
  // A seeded visiting order (the paper iterates examples in dataset order, which would make the
  // result depend on file names).
  const order = shuffle(
    units.map((_, i) => i),
    rng,
  );
  let left = units.length;

  const assign = (i: number, j: number) => {
    out[i] = j;
    left--;
    desired[j] -= units[i].size;
    for (const [l, c] of units[i].counts) {
      desiredLabel[j].set(l, desiredLabel[j].get(l)! - c);
      present[j].set(l, (present[j].get(l) ?? 0) + c);
      remainingLabel.set(l, remainingLabel.get(l)! - c);
    }
  };

  while (left > 0) {
    const label = rarestLabel(remainingLabel, rng);
    if (label === undefined) {
      // Units without any label: fill the splits that are furthest below their size.
      for (const i of order) if (out[i] < 0) assign(i, pick(open, [(j) => desired[j]], rng));
      break;
    }
    const carriers = order.filter((i) => out[i] < 0 && units[i].counts.has(label));
    carriers.forEach((i, k) => {
      const lacking = open.filter((j) => !present[j].get(label) && desired[j] > EPS);
      const unitsLeft = carriers.length - k;
      const candidates = lacking.length > 0 && unitsLeft >= lacking.length ? lacking : open;
      assign(i, pick(candidates, [(j) => desiredLabel[j].get(label)!, (j) => desired[j]], rng));
    });
  }
  return out;
}

/** The label with the fewest (but some) unassigned examples; ties at random. */
function rarestLabel(remaining: Map<number, number>, rng: Rng): number | undefined {
  let best = Infinity;
  let ties: number[] = [];
  for (const [l, c] of [...remaining].sort((a, b) => a[0] - b[0])) {
    if (c <= 0) continue;
    if (c < best) {
      best = c;
      ties = [l];
    } else if (c === best) ties.push(l);
  }
  return ties.length ? ties[Math.floor(rng() * ties.length)] : undefined;
}

/** The candidate with the largest first key, ties by the next key, remaining ties at random. */
export function pick(candidates: readonly number[], keys: readonly ((j: number) => number)[], rng: Rng): number {
  let pool = [...candidates];
  for (const key of keys) {
    const best = Math.max(...pool.map(key));
    pool = pool.filter((j) => key(j) >= best - EPS);
    if (pool.length === 1) return pool[0];
  }
  return pool[Math.floor(rng() * pool.length)];
}

/** Fisher-Yates with the seeded generator. */
export function shuffle<T>(arr: T[], rng: Rng): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  return arr;
}
