import { defineConfig } from 'vite';
import { standardDecorators } from 'idb-memo/vite';

// `@cache` is a TC39 decorator: Vite 8 parses it but does not lower it; the plugin does (with esbuild).
export default defineConfig({ plugins: [standardDecorators()] });
