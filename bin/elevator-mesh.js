#!/usr/bin/env node
// Runs the compiled CLI (npm run build). During development use `node --import tsx src/cli/main.ts`.
import '../dist/cli/main.js';
