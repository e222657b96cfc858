/**
 * What build of foi is running: a hash of every source file and the package lock, set by the
 * bundler (scripts/build.mjs); null when running from source (tests through vitest). Caches keyed
 * by code (the embedded register, published DOCX) use it instead of reading module files, which a
 * bundle does not have.
 */
declare const __FOI_BUILD_ID__: string | undefined;

export const BUILD_ID: string | null = typeof __FOI_BUILD_ID__ === 'string' ? __FOI_BUILD_ID__ : null;
