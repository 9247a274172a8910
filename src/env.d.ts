/**
 * Whether errors and warnings carry their development messages (what went wrong, how to fix it).
 * Replaced at build time: `true` in the tests, the demo and the package's `development` build,
 * `false` in its `production` build, and `process.env.NODE_ENV !== 'production'` (where `process`
 * exists) in its default build (scripts/build.mjs). Referenced from src/index.ts, so that declaration builds see it.
 */
declare const __DEV__: boolean;
