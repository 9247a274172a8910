/**
 * Drafts of keys that hold large binaries: the text, with the places where digests go (holes), so
 * that the final key is made without reading the arguments again.
 */

/**
 * A place in a draft text, at offset `at`, to be filled once the digests are known: with the
 * digest of large binary number `binary`, or with the sorted members of a Set or Map (`parts`),
 * some of which hold large binaries.
 */
export type Hole = { readonly at: number; readonly binary: number } | { readonly at: number; readonly parts: readonly Draft[] };
export interface Draft {
  readonly text: string;
  readonly holes: readonly Hole[];
}

/** Shared by every draft without holes: most keys have none. */
export const NO_HOLES: Hole[] = [];

/** What a {@link Parts} writes into. */
export interface Writer {
  out: string;
  holes: Hole[];
  addHole(hole: Hole): void;
}

/** The draft `text` with its holes filled. */
export function resolve(text: string, holes: readonly Hole[], digests: readonly string[]): string {
  let out = '';
  let from = 0;
  for (const hole of holes) {
    out += text.slice(from, hole.at);
    if ('binary' in hole) out += digests[hole.binary] ?? '';
    else out += hole.parts.map((part) => resolve(part.text, part.holes, digests)).sort().join('');
    from = hole.at;
  }
  return out + text.slice(from);
}

/**
 * The members of a Set or the entries of a Map, each encoded apart from the text written so far;
 * written sorted now, or, when some hold large binaries, sorted once their digests are known.
 */
export class Parts {
  private readonly texts: string[] = [];
  /** The holes of each part, once one part has some. */
  private holes: (readonly Hole[])[] | undefined;
  private readonly out: string;
  private readonly outHoles: Hole[];

  constructor(private readonly encoder: Writer) {
    [this.out, this.outHoles] = [encoder.out, encoder.holes];
  }

  start(): void {
    this.encoder.out = '';
    this.encoder.holes = NO_HOLES;
  }

  end(): void {
    const { out, holes } = this.encoder;
    if (holes !== NO_HOLES) this.holes ??= this.texts.map(() => NO_HOLES);
    this.holes?.push(holes);
    this.texts.push(out);
  }

  write(tag: string): void {
    const { encoder, texts, holes } = this;
    [encoder.out, encoder.holes] = [this.out, this.outHoles];
    encoder.out += `${tag}${texts.length}{`;
    if (holes === undefined) encoder.out += texts.sort().join('');
    else encoder.addHole({ at: encoder.out.length, parts: texts.map((text, i) => ({ text, holes: holes[i]! })) });
    encoder.out += '}';
  }
}
