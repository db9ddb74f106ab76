import path from 'node:path';
import type { NextConfig } from 'next';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

const config: NextConfig = {
  // The SDK is TypeScript source in this repository (a file: dependency, not a copy).
  transpilePackages: ['@projects-core/sdk'],
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  serverExternalPackages: ['postgres'],
};

export default config;
