// The repository's own builds and tests use the plugin the package ships as `idb-memo/vite`.
export { standardDecorators } from '../src/vite.ts';
