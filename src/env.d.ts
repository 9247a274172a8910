/**
 * True in development builds, where errors and warnings say what went wrong and how to fix it;
 * false in the production build (the package's default export), where those texts are compiled out.
 * Defined by vite.config.ts for the library build and the tests.
 */
declare const __DEV__: boolean;
