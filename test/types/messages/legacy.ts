// `@cache` under `experimentalDecorators: true` (tsconfig.legacy.json): the error says so. Checked
// by scripts/type-messages.mjs like standard.ts.
import { cache } from 'idb-memo';

export class Explorer {
  // error at cache: @cache is a TC39 standard decorator; remove \\"experimentalDecorators\\": true from tsconfig.json
  @cache
  async load(): Promise<number> {
    return 1;
  }

  // error at cache: @cache is a TC39 standard decorator; remove \\"experimentalDecorators\\": true from tsconfig.json
  @cache({ ttl: 60 })
  async loadWithOptions(): Promise<number> {
    return 1;
  }
}
