// What TypeScript says of a wrong option: checked by scripts/type-messages.mjs with TypeScript 5.9
// and 7. Each `// error at TOKEN: PATTERN` says that the next line has an error that starts at
// TOKEN and whose text matches PATTERN (a regular expression); no other error may be reported.
import { cache } from 'idb-memo';

const square = (x: number) => x * x;

// error at maxItem: 'maxItem' does not exist in type [^]*Did you mean to write 'maxItems'\?
export const typo = cache(square, { maxItem: 10 });
// error at policy: Type '"MRU"' is not assignable to type '(Policy \| "lru" \| "lfu" \| "fifo"|"fifo" \| "lfu" \| "lru" \| Policy) \| undefined'
export const badPolicy = cache(square, { policy: 'MRU' });
// error at maxItem: 'maxItem' does not exist in type [^]*Did you mean to write 'maxItems'\?
export const typoFirst = cache({ maxItem: 10 })(square);
// error at policy: Type '"MRU"' is not assignable to type '(Policy \| "lru" \| "lfu" \| "fifo"|"fifo" \| "lfu" \| "lru" \| Policy) \| undefined'
export const badPolicyFirst = cache({ policy: 'MRU' })(square);
// error at {: Property 'name' is missing in type '\{ toDisk: true; \}' but required in type 'ToDiskCacheOptions
export const noName = cache(square, { toDisk: true });
// error at {: Property 'name' is missing in type '\{ toDisk: true; \}' but required in type 'ToDiskCacheOptions
export const noNameFirst = cache({ toDisk: true })(square);

export class Explorer {
  // error at maxItem: 'maxItem' does not exist in type [^]*Did you mean to write 'maxItems'\?
  @cache({ maxItem: 1 })
  async typo(): Promise<number> {
    return 1;
  }

  // error at policy: Type '"MRU"' is not assignable to type '(Policy \| "lru" \| "lfu" \| "fifo"|"fifo" \| "lfu" \| "lru" \| Policy) \| undefined'
  @cache({ policy: 'MRU' })
  async badPolicy(): Promise<number> {
    return 1;
  }

  // error at {: Property 'name' is missing in type '\{ toDisk: true; \}' but required in type 'ToDiskCacheOptions
  @cache({ toDisk: true })
  async noName(): Promise<number> {
    return 1;
  }

  // error at cache: @cache needs a method that returns a Promise \(declare it async\)
  // error at cache: Type 'Promise<number>' is not assignable to type 'number'
  @cache
  total(): number {
    return 1;
  }
}
